import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from './api';
import * as M from './messages';
import { formatDate, formatDateTime } from './format';

export type { Lang } from './messages';

interface I18n {
  lang: M.Lang;
  setLang(lang: M.Lang): void;
  /** Inline text, Chinese first: t('项目', 'Project'). */
  t(zh: string, en: string): string;
  /** A label from one of the dictionaries, falling back to the code itself. */
  label(dict: Record<string, M.Text>, code: string | null | undefined): string;
  role(code: string): string;
  stage(code: string | null | undefined): string;
  status(code: string | null | undefined): string;
  command(path: string): string;
  field(name: string): string;
  /** An event type's label (e.g. 提交申报 for ProjectSubmitted). */
  event(type: string): string;
  /** A sentence for an API error: the code's sentence, then the server's own detail. */
  problem(err: unknown): string;
  date(value: string | null | undefined): string;
  dateTime(value: string | null | undefined): string;
}

const Ctx = createContext<I18n | null>(null);
const KEY = 'gongguan.lang';

function initialLang(): M.Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return 'zh';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<M.Lang>(initialLang);
  const value = useMemo<I18n>(() => {
    const label = (dict: Record<string, M.Text>, code: string | null | undefined) => (code ? (dict[code]?.[lang] ?? code) : '—');
    return {
      lang,
      setLang(next) {
        localStorage.setItem(KEY, next);
        document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
        setLangState(next);
      },
      t: (zh, en) => (lang === 'zh' ? zh : en),
      label,
      role: (code) => label(M.roles, code),
      stage: (code) => label(M.stages, code),
      status: (code) => label(M.statuses, code),
      command: (path) => label(M.commands, path),
      field: (name) => label(M.fields, name),
      event: (type) => label(M.events, type),
      problem(err) {
        if (err instanceof ApiError) {
          const sentence = M.problems[err.code]?.[lang] ?? (lang === 'zh' ? '操作未成功。' : 'That did not work.');
          return err.detail && err.detail !== 'undefined' ? `${sentence}（${err.detail}）` : sentence;
        }
        return err instanceof Error ? err.message : String(err);
      },
      date: (v) => formatDate(v, lang),
      dateTime: (v) => formatDateTime(v, lang),
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
