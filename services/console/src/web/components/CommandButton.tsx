import { Alert, App, Button, Modal } from 'antd';
import { useState, type ReactNode } from 'react';
import { useI18n } from '../lib/i18n';
import { CommandForm } from './CommandForm';

export interface CommandButtonProps {
  /** The command's path as in /openapi.json; the button's text is its label. */
  path: string;
  params: Record<string, string>;
  ifMatch?: number | null;
  initialValues?: Record<string, unknown>;
  hidden?: string[];
  primary?: boolean;
  danger?: boolean;
  /** Why this caller may not issue it (the four-eyes rule): shown instead of the button, before any click. */
  blocked?: ReactNode;
  notice?: ReactNode;
  /** After a success, or a stale page (someone else changed it): the page reloads its data. */
  onChanged?(position?: string | null): void;
}

/** A command offered as a button labelled with its name; the button opens its form in a dialog. */
export function CommandButton(props: CommandButtonProps) {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const label = i18n.command(props.path);
  if (props.blocked) return <Alert type="warning" showIcon message={props.blocked} style={{ padding: '2px 8px' }} />;
  return (
    <>
      <Button size="small" type={props.primary ? 'primary' : 'default'} danger={props.danger ?? false} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal open={open} title={label} footer={null} onCancel={() => setOpen(false)} destroyOnHidden width={560}>
        <CommandForm
          bare
          path={props.path}
          params={props.params}
          ifMatch={props.ifMatch ?? null}
          {...(props.initialValues ? { initialValues: props.initialValues } : {})}
          {...(props.hidden ? { hidden: props.hidden } : {})}
          notice={props.notice}
          onDone={(result) => {
            setOpen(false);
            void message.success(i18n.t(`已完成：${label}`, `Done: ${label}`));
            props.onChanged?.(result.position);
          }}
          onStale={() => {
            void message.warning(i18n.t('他人已修改此记录，页面已刷新，请核对后重试。', 'Someone else changed this record; the page reloaded — check and try again.'));
            props.onChanged?.();
          }}
        />
      </Modal>
    </>
  );
}
