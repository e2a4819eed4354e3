import { Alert, Button, Card, Collapse, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useMemo, useRef, useState } from 'react';
import commandsJson from '../api/commands.json';
import { ApiError, command, newIdempotencyKey, type CommandResult } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { grades, kinds, stages, statuses, type Text } from '../lib/messages';
import { BodyError, kindOf, toBody, type Schema } from './schema';

export interface CommandDescriptor {
  key: string;
  path: string;
  summary: string;
  tag: string;
  roles: string[];
  pathParams: string[];
  body: Schema | null;
  upload: string[] | null;
}

export const commandList = commandsJson as unknown as CommandDescriptor[];
const byPath = new Map(commandList.map((c) => [c.path, c]));

export function findCommand(path: string): CommandDescriptor {
  const c = byPath.get(path);
  if (!c) throw new Error(`no command ${path} in commands.json (run pnpm --filter @gongguan/console gen:api)`);
  return c;
}

/** The commands at `prefix` (e.g. /v1/projects/{projectId}/) the given roles may issue. */
export function commandsFor(prefix: string, roles: string[]): CommandDescriptor[] {
  return commandList.filter((c) => c.path.startsWith(prefix) && c.roles.some((r) => roles.includes(r)));
}

/** The concrete URL of a command: its path with the parameters filled in. */
export function commandUrl(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

const enumDicts: Record<string, Record<string, Text>> = { grade: grades, result: grades, to: stages, rule: kinds, status: statuses };
const enumExtra: Record<string, Text> = {
  per_contract: { zh: '按合同', en: 'Per contract' },
  per_year: { zh: '按年度累计', en: 'Per year' },
  transferee: { zh: '受让方', en: 'Transferee' },
  transferor: { zh: '转让方', en: 'Transferor' },
  floor: { zh: '向下取整', en: 'Round down' },
  upheld: { zh: '成立', en: 'Upheld' },
  dismissed: { zh: '不成立', en: 'Dismissed' },
  payment: { zh: '到账', en: 'Payment' },
  reversal: { zh: '退回', en: 'Reversal' },
  pi: { zh: '项目负责人', en: 'Principal investigator' },
  budget: { zh: '预算', en: 'Budget' },
  indicators: { zh: '考核指标', en: 'Indicators' },
  principal_investigator: { zh: '项目负责人', en: 'Principal investigator' },
  contract_amount: { zh: '合同金额', en: 'Contract amount' },
  payment_bank_reference: { zh: '到账银行流水号', en: "A payment's bank reference" },
  payment_refund: { zh: '到账退回', en: 'A refunded payment' },
  on_track: { zh: '按计划推进', en: 'On track' },
  behind_schedule: { zh: '进度滞后', en: 'Behind schedule' },
  at_risk: { zh: '存在风险', en: 'At risk' },
  dueOn: { zh: '到期日', en: 'Due on' },
  reportedOn: { zh: '报告日期', en: 'Reported on' },
};

export interface CommandFormProps {
  /** The command's path as in /openapi.json, e.g. /v1/projects/{projectId}/task-book. */
  path: string;
  params: Record<string, string>;
  /** The revision the page shows (sent as If-Match). */
  ifMatch?: number | null;
  initialValues?: Record<string, unknown>;
  /** Path parameters the user types (e.g. milestoneId when not given). */
  askParams?: string[];
  /** Fields not shown (their values come from initialValues). */
  hidden?: string[];
  onDone?(result: CommandResult, body: unknown): void;
  /** The server answered 412: the page reloads and shows what changed. */
  onStale?(): void;
  /** A sentence shown above the form (e.g. the four-eyes rule). */
  notice?: React.ReactNode;
  submitLabel?: string;
  /** Shown without a card (inside a modal or drawer). */
  bare?: boolean;
}

/** A command's form, built from its JSON schema; it sends If-Match and one Idempotency-Key per submission, retried safely. */
export function CommandForm(props: CommandFormProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const desc = findCommand(props.path);
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // One key per submission: a retry after a lost answer reuses it; a new submission after success gets a new one.
  const key = useRef(newIdempotencyKey());
  const formId = useMemo(() => `f-${desc.path.replace(/[^a-z0-9]+/gi, '-')}`, [desc.path]);

  const enumLabel = (field: string, v: string) => enumDicts[field]?.[v]?.[i18n.lang] ?? enumExtra[v]?.[i18n.lang] ?? statuses[v]?.[i18n.lang] ?? v;

  function field(name: string, s: Schema, namePath: Array<string | number>, label: string, required: boolean, keyPrefix: string): React.ReactNode {
    if (props.hidden?.includes(String(namePath[0])) && namePath.length === 1) {
      return (
        <Form.Item key={keyPrefix} name={namePath} hidden>
          <Input />
        </Form.Item>
      );
    }
    const k = kindOf(name, s);
    const rules = required ? [{ required: true, message: t(`请填写${label}`, `${label} is required`) }] : [];
    const help = s.description && !/^fen/.test(s.description) ? s.description : undefined;
    switch (k.kind) {
      case 'money':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={[...rules, { pattern: /^[¥￥]?\s*[\d,，]{1,22}(\.\d{1,2})?\s*元?$/, message: t('请输入金额（元），最多两位小数', 'An amount in yuan, at most two decimals') }]} extra={t('以元为单位，精确到分', 'In yuan, exact to the fen')}>
            <Input inputMode="decimal" addonBefore="¥" addonAfter={t('元', 'yuan')} />
          </Form.Item>
        );
      case 'date':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={rules}>
            <Input type="date" />
          </Form.Item>
        );
      case 'integer':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={rules} extra={help}>
            <InputNumber style={{ width: '100%' }} precision={0} {...(k.min !== undefined ? { min: k.min } : {})} {...(k.max !== undefined ? { max: k.max } : {})} />
          </Form.Item>
        );
      case 'boolean':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={rules}>
            <Radio.Group options={[{ label: t('是', 'Yes'), value: true }, { label: t('否', 'No'), value: false }]} />
          </Form.Item>
        );
      case 'enum':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={rules}>
            {k.values.length <= 4 ? (
              <Radio.Group options={k.values.map((v) => ({ label: enumLabel(name, v), value: v }))} />
            ) : (
              <Select options={k.values.map((v) => ({ label: enumLabel(name, v), value: v }))} />
            )}
          </Form.Item>
        );
      case 'lines':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={rules} extra={t('每行一项', 'One per line')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
          </Form.Item>
        );
      case 'text':
        return (
          <Form.Item key={keyPrefix} name={namePath} label={label} rules={[...rules, ...(k.pattern ? [{ pattern: new RegExp(k.pattern), message: t('格式不正确', 'Not in the expected form') }] : [])]} extra={help}>
            {k.long ? <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} /> : <Input />}
          </Form.Item>
        );
      case 'object':
        return (
          <fieldset key={keyPrefix} style={{ border: '1px solid #eee', padding: '8px 12px', marginBottom: 12 }}>
            <legend style={{ fontSize: 14, width: 'auto', marginBottom: 0, padding: '0 4px' }}>{label}{required ? ' *' : ''}</legend>
            {Object.entries(k.schema.properties ?? {}).map(([child, cs]) => field(child, cs, [...namePath, child], `${label} · ${i18n.field(child)}`, required && (k.schema.required ?? []).includes(child), `${keyPrefix}.${child}`))}
          </fieldset>
        );
      case 'variants':
        return (
          <fieldset key={keyPrefix} style={{ border: '1px solid #eee', padding: '8px 12px', marginBottom: 12 }}>
            <legend style={{ fontSize: 14, width: 'auto', marginBottom: 0, padding: '0 4px' }}>{label}</legend>
            <Form.Item name={[...namePath, k.discriminator]} label={`${label} · ${i18n.field(k.discriminator)}`} rules={rules}>
              <Radio.Group options={k.variants.map((v) => ({ label: enumLabel(k.discriminator, v.value), value: v.value }))} />
            </Form.Item>
            <Form.Item noStyle shouldUpdate>
              {() => {
                const chosen = k.variants.find((v) => v.value === form.getFieldValue([...namePath, k.discriminator]));
                if (!chosen) return null;
                return Object.entries(chosen.schema.properties ?? {})
                  .filter(([child]) => child !== k.discriminator)
                  .map(([child, cs]) => field(child, cs, [...namePath, child], `${label} · ${i18n.field(child)}`, (chosen.schema.required ?? []).includes(child), `${keyPrefix}.${chosen.value}.${child}`));
              }}
            </Form.Item>
          </fieldset>
        );
      case 'list':
        return (
          <fieldset key={keyPrefix} style={{ border: '1px solid #eee', padding: '8px 12px', marginBottom: 12 }}>
            <legend style={{ fontSize: 14, width: 'auto', marginBottom: 0, padding: '0 4px' }}>{label}{required ? ' *' : ''}</legend>
            <Form.List name={namePath} initialValue={required ? [{}] : []}>
              {(rows, { add, remove }) => (
                <>
                  {rows.map((row, i) => (
                    <div key={row.key} style={{ borderBottom: '1px dashed #ddd', marginBottom: 8 }}>
                      {k.item.type === 'object'
                        ? Object.entries(k.item.properties ?? {}).map(([child, cs]) => field(child, cs, [row.name, child], `${label} ${i + 1} · ${i18n.field(child)}`, (k.item.required ?? []).includes(child), `${keyPrefix}.${row.key}.${child}`))
                        : field(name, k.item, [row.name], `${label} ${i + 1}`, true, `${keyPrefix}.${row.key}`)}
                      <Button size="small" danger onClick={() => remove(row.name)} style={{ marginBottom: 8 }}>
                        {t(`删除第 ${i + 1} 项`, `Remove item ${i + 1}`)}
                      </Button>
                    </div>
                  ))}
                  <Button size="small" onClick={() => add({})}>
                    {t(`添加${label}`, `Add to ${label}`)}
                  </Button>
                </>
              )}
            </Form.List>
          </fieldset>
        );
      default:
        return (
          <Form.Item key={keyPrefix} name={namePath} label={`${label} (JSON)`} rules={rules}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} />
          </Form.Item>
        );
    }
  }

  const schema = desc.body ?? { type: 'object', properties: {} };
  const required = new Set(schema.required ?? []);

  async function submit(values: Record<string, unknown>) {
    setError(null);
    setDone(null);
    let body: Record<string, unknown>;
    try {
      body = toBody(schema, values);
    } catch (err) {
      if (err instanceof BodyError) {
        form.setFields([{ name: err.path, errors: [err.message === 'yuan' ? t('请输入金额（元），最多两位小数', 'An amount in yuan, at most two decimals') : t('不是有效的 JSON', 'Not valid JSON')] }]);
        return;
      }
      throw err;
    }
    const params = { ...props.params };
    for (const p of props.askParams ?? []) params[p] = String(values[`param:${p}`] ?? '').trim();
    setBusy(true);
    try {
      const effective = values['effective:date'] ? String(values['effective:date']) : null;
      const result = await command(commandUrl(desc.path, params), body, { idempotencyKey: key.current, ifMatch: props.ifMatch ?? null, effectiveDate: effective });
      key.current = newIdempotencyKey();
      setDone(t(`已完成：${i18n.command(desc.path)}`, `Done: ${i18n.command(desc.path)}`));
      form.resetFields();
      props.onDone?.(result, body);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PRECONDITION_FAILED') {
        key.current = newIdempotencyKey();
        props.onStale?.();
      }
      if (err instanceof ApiError && err.code !== 'NETWORK') key.current = newIdempotencyKey();
      if (err instanceof ApiError && Array.isArray(err.problem.errors)) {
        const fieldErrors = (err.problem.errors as Array<{ path?: string; message?: string }>)
          .filter((e) => e.path?.startsWith('body'))
          .map((e) => ({ name: e.path!.replace(/^body\.?/, '').split(/[./]/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), errors: [e.message ?? ''] }))
          .filter((e) => e.name.length > 0);
        if (fieldErrors.length > 0) form.setFields(fieldErrors as never);
      }
      setError(i18n.problem(err));
    } finally {
      setBusy(false);
    }
  }

  const title = i18n.command(desc.path);
  const content = (
    <Form id={formId} form={form} layout="vertical" onFinish={(v) => void submit(v as Record<string, unknown>)} initialValues={props.initialValues} aria-label={title} scrollToFirstError>
      {props.notice}
      {(props.askParams ?? []).map((p) => (
        <Form.Item key={`param:${p}`} name={`param:${p}`} label={i18n.field(p)} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, message: t(`请填写${i18n.field(p)}`, `${i18n.field(p)} is required`) }]}>
          <Input />
        </Form.Item>
      ))}
      {desc.upload ? (
        <Typography.Paragraph type="secondary">{t('此操作上传文件，请使用文件上传。', 'This command uploads a file; use the upload button.')}</Typography.Paragraph>
      ) : (
        Object.entries(schema.properties ?? {}).map(([name, s]) => field(name, s, [name], i18n.field(name), required.has(name), name))
      )}
      <Collapse
        size="small"
        style={{ marginBottom: 12 }}
        items={[
          {
            key: 'effective',
            label: t('补录：按实际发生日期记录（可选）', 'Back-record: the date it really happened (optional)'),
            children: (
              <Form.Item name="effective:date" label={t('生效日期', 'Effective date')} extra={t('不得晚于今天；规则按该日期检查，记录会注明由您补录。', 'Not in the future; the rules are checked as of that date and the record names you as who entered it.')}>
                <Input type="date" />
              </Form.Item>
            ),
          },
        ]}
      />
      {error && <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 12 }} />}
      {done && <Alert type="success" showIcon message={done} role="status" style={{ marginBottom: 12 }} />}
      <Space>
        <Button type="primary" htmlType="submit" loading={busy} disabled={!!desc.upload}>
          {props.submitLabel ?? t('提交', 'Submit')}
        </Button>
      </Space>
    </Form>
  );
  if (props.bare) return content;
  return (
    <Card size="small" title={title}>
      {content}
    </Card>
  );
}
