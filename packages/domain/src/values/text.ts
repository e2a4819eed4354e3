import { z } from 'zod';

/**
 * Text that people type, checked once where it enters (command bodies): no C0 control characters
 * (U+0000–U+001F), no DEL or C1 (U+007F–U+009F) and no lone UTF-16 surrogates. Such characters
 * cannot be shown, are lost or refused on the way to a database (PostgreSQL's jsonb has no
 * U+0000), and an event is immutable: once recorded, a bad character stays for good.
 *
 * A single-line field (names, titles, ids) allows none of them; a multi-line field (comments,
 * summaries, findings, reasons, descriptions) allows line breaks (LF, CR) and tabs.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_BUT_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not clean text, or null when it is. */
export function textProblem(value: string, multiLine: boolean): string | null {
  const control = (multiLine ? CONTROL_BUT_BREAKS : CONTROL).exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return multiLine
      ? `must not contain control characters (U+${code} at ${control.index}); only line breaks and tabs are allowed`
      : `must be one line without control characters (U+${code} at ${control.index})`;
  }
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (a lone surrogate was found)';
  return null;
}

/**
 * One schema per (max, kind), made on first use and shared: hundreds of fields use the same few,
 * and each zod schema costs ~30 µs to build at every start. Zod schemas are immutable.
 */
const typedSchemas = new Map<string, z.ZodString>();
function typed(max: number, multiLine: boolean): z.ZodString {
  const key = `${multiLine ? 'prose' : 'line'}:${max}`;
  let schema = typedSchemas.get(key);
  if (schema === undefined) {
    // Checked before trimming: trim() would silently drop a trailing vertical tab or form feed.
    schema = z
      .string()
      .superRefine((value, ctx) => {
        const problem = textProblem(value, multiLine);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .trim()
      .min(1)
      .max(max);
    typedSchemas.set(key, schema);
  }
  return schema;
}

/** One line typed by a person (a name, a title): 1..max characters after trimming, no control characters. */
export const lineText = (max: number) => typed(max, false);

/** Free text typed by a person (a comment, a reason): 1..max characters after trimming; line breaks and tabs allowed. */
export const proseText = (max: number) => typed(max, true);

/** A name or a title as typed. */
export const Name = lineText(200);
/** A comment, a summary, a finding, a reason, a description as typed. */
export const Text = proseText(2000);

/**
 * The same fields as read back from recorded events and folded states: as lenient as they were
 * when those events were written, so that events recorded before the check keep replaying.
 */
export const RecordedText = z.string().trim().min(1).max(2000);
export const RecordedName = z.string().trim().min(1).max(200);

/**
 * A text value from a query string or a path (a filter, an id to look up): one line without
 * control characters, compared exactly as given (not trimmed). PostgreSQL refuses U+0000 in a
 * text parameter, so an unchecked `?county=%00` was a 500.
 */
const querySchemas = new Map<number, z.ZodString>();
export const queryText = (max: number): z.ZodString => {
  let schema = querySchemas.get(max);
  if (schema === undefined) {
    schema = z
      .string()
      .min(1)
      .max(max)
      .refine((value) => textProblem(value, false) === null, 'must be one line of text without control characters');
    querySchemas.set(max, schema);
  }
  return schema;
};
