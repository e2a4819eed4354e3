import { useEffect, useRef } from 'react';

/**
 * A table that scrolls sideways inside itself must be reachable by keyboard (WCAG 2.1.1, axe
 * `scrollable-region-focusable`) even when it holds nothing focusable: its scroll container gets a
 * tab stop. Put the returned ref on an element around the antd Table.
 */
export function useFocusableScroll<T extends HTMLElement = HTMLDivElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    for (const el of ref.current?.querySelectorAll<HTMLElement>('.ant-table-content, .ant-table-body') ?? []) {
      if (el.tabIndex < 0) el.tabIndex = 0;
    }
  });
  return ref;
}
