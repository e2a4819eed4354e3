import type { Locator, Page } from 'playwright-core';
import * as M from '../../src/web/lib/messages.js';

export type Lang = M.Lang;

/** What a person types or picks in one field of a command's form, found by its label. */
export type Entry =
  | [label: string, value: string]
  | [label: string, { pick: string }]
  | { click: string };

/** Words of the console in one language, from its own dictionaries (messages.ts). */
export function words(lang: Lang) {
  const pick = (x: M.Text | undefined, code: string) => {
    if (!x) throw new Error(`no words for ${code}`);
    return x[lang];
  };
  return {
    lang,
    /** A command's label: its button, its form's name. */
    command: (path: string) => pick(M.commands[path], path),
    /** A field's label; nested ones joined as the form shows them ("牵头企业 · 名称"). */
    field: (...names: Array<string | number>) => {
      const parts: string[] = [];
      for (const n of names) {
        if (typeof n === 'number') parts[parts.length - 1] += ` ${n}`;
        else parts.push(pick(M.fields[n], n));
      }
      return parts.join(' · ');
    },
    kind: (code: string) => pick(M.kinds[code], code),
    grade: (code: string) => pick(M.grades[code], code),
    stage: (code: string) => pick(M.stages[code], code),
    status: (code: string) => pick(M.statuses[code], code),
    role: (code: string) => pick(M.roles[code], code),
    t: (zh: string, en: string) => (lang === 'zh' ? zh : en),
    submit: lang === 'zh' ? '提交' : 'Submit',
    yes: lang === 'zh' ? '是' : 'Yes',
    no: lang === 'zh' ? '否' : 'No',
    backRecord: lang === 'zh' ? '补录：按实际发生日期记录（可选）' : 'Back-record: the date it really happened (optional)',
    effectiveDate: lang === 'zh' ? '生效日期' : 'Effective date',
    done: (label: string) => (lang === 'zh' ? `已完成：${label}` : `Done: ${label}`),
  };
}
export type Words = ReturnType<typeof words>;

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\*?\\s*$`);
}

/** The form item (label and control) whose label reads exactly `label`. */
function item(form: Locator, label: string): Locator {
  return form.locator('.ant-form-item').filter({ has: form.page().locator('.ant-form-item-label label').filter({ hasText: exactly(label) }) }).last();
}

/** Fills one field of a form the way a person does: types into a box, clicks a radio button, or picks from a list. */
export async function fillField(page: Page, form: Locator, label: string, value: string | { pick: string }): Promise<void> {
  const box = item(form, label);
  if (typeof value === 'string') {
    const input = box.locator('input:not([type=radio]):not([type=checkbox]):not([type=search]), textarea').first();
    await input.fill(value);
    return;
  }
  const radio = box.getByRole('radio', { name: value.pick, exact: true });
  if ((await radio.count()) > 0) {
    await radio.check();
    return;
  }
  // A list (Ant Design Select): open it, type to narrow it, choose with Enter.
  await box.getByRole('combobox').click();
  await page.keyboard.type(value.pick);
  await page.getByRole('option', { name: value.pick, exact: true }).waitFor();
  await page.keyboard.press('Enter');
}

export interface RunOptions {
  /** Where the command's button is (a table row, a section); the page by default. */
  within?: Locator;
  /** The day it happened (YYYY-MM-DD): typed into the form's 补录 (back-recording) field. */
  on?: string;
  /** Today (YYYY-MM-DD): a step on today is recorded live, without 补录. */
  today?: string;
  /** The form is already open (a page that shows it without a button). */
  formOpen?: boolean;
}

/**
 * Issues one command through the console as a person does: clicks the button with the command's
 * label, fills its form by the fields' labels, opens 补录 and types the effective date when the
 * step happened on an earlier day, submits, and waits for 已完成 (or fails with the page's message).
 */
export async function runCommand(page: Page, w: Words, path: string, entries: Entry[], options: RunOptions = {}): Promise<void> {
  const label = w.command(path);
  const scope = options.within ?? page;
  if (!options.formOpen) await scope.getByRole('button', { name: label, exact: true }).first().click();
  const form = page.getByRole('form', { name: label, exact: true }).last();
  await form.waitFor();
  for (const e of entries) {
    if (Array.isArray(e)) await fillField(page, form, e[0], e[1]);
    else await form.getByRole('button', { name: e.click, exact: true }).click();
  }
  if (options.on && options.on !== options.today) {
    const header = form.getByRole('button', { name: w.backRecord });
    // A click while a dialog still animates in can be lost on a loaded machine: click until it is open.
    for (let i = 0; i < 5 && (await header.getAttribute('aria-expanded')) !== 'true'; i++) {
      await header.click();
      await page.waitForTimeout(200 * (i + 1));
    }
    await item(form, w.effectiveDate).locator('input').fill(options.on);
  }
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/v1/'), { timeout: 30_000 });
  await form.getByRole('button', { name: w.submit, exact: true }).click();
  const res = await answered;
  if (!res.ok()) {
    const message = await form.getByRole('alert').first().innerText().catch(() => '');
    throw new Error(`${label}: ${res.status()} ${message || (await res.text().catch(() => ''))}`);
  }
  // 已完成 in the form, or a message of the page; or the form closes (a dialog, a panel) and the page reloads.
  const done = page.getByText(w.done(label)).first();
  const deadline = Date.now() + 15_000;
  while (!(await done.isVisible()) && (await form.isVisible())) {
    if (Date.now() > deadline) throw new Error(`${label}: the server answered ${res.status()}, but the page shows no ${w.done(label)}`);
    await page.waitForTimeout(100);
  }
  // The page reloads what it shows after a command; the next step reads the new state.
  await page.waitForLoadState('networkidle');
}

/** Opens a page of the console by its hash route and waits for its heading. */
export async function visit(page: Page, url: string, route: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${url}/#${route}`);
  await page.getByRole('heading', { level: 2, name: heading }).first().waitFor();
}
