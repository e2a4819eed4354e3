import { Alert, Button, Card, Form, Input, List, Segmented, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useI18n } from '../lib/i18n';
import { roles as roleLabels } from '../lib/messages';
import { startOidcSignIn, takeSignInError } from '../lib/oidc-callback';
import { sessionFromToken } from '../lib/session';

async function devToken(subject: string, roles: string[], bureau: string): Promise<string> {
  const res = await fetch('/console/dev-sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, roles, bureau }) });
  const body = (await res.json()) as { token?: string; code?: string; detail?: string };
  if (!res.ok || !body.token) throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.detail ?? '', body);
  return body.token;
}

/** Sign-in: the identity provider in production; in development, a demo person or any identity and role. */
export function SignIn() {
  const { config, signIn } = useAuth();
  const i18n = useI18n();
  const { t } = i18n;
  const [error, setError] = useState<string | null>(() => {
    const failed = takeSignInError();
    return failed ? t(`统一身份认证登录未完成：${failed.zh}`, `The sign-in did not complete: ${failed.en}`) : null;
  });
  const [busy, setBusy] = useState<string | null>(null);

  const dev = async (subject: string, roles: string[], bureau = '331000') => {
    setBusy(subject);
    setError(null);
    try {
      signIn(sessionFromToken(await devToken(subject, roles, bureau), 'dev'));
      window.location.hash = '#/';
    } catch (err) {
      setError(i18n.problem(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main style={{ maxWidth: 760, margin: '32px auto', padding: '0 16px' }}>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
            {t('攻关 · 科技攻关项目管理', 'Gongguan · breakthrough projects')}
          </Typography.Title>
          <Segmented value={i18n.lang} onChange={(v) => i18n.setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'English', value: 'en' }]} aria-label={t('语言', 'Language')} />
        </Space>
        {error && <Alert type="error" showIcon message={error} role="alert" />}
        {config.oidc && (
          <Card title={t('统一身份认证', 'Sign in with your organisation')}>
            <Button type="primary" size="large" onClick={() => void startOidcSignIn(config.oidc!).catch((e: unknown) => setError(i18n.problem(e)))}>
              {t('统一身份认证登录', 'Sign in')}
            </Button>
          </Card>
        )}
        {config.devSignIn && (
          <>
            <Alert
              type="warning"
              showIcon
              message={t('开发环境演示登录', 'Development sign-in')}
              description={t(
                '此登录仅在 GONGGUAN_ENV=development 时存在：令牌由本机开发密钥签发，任何人都可以选择任何身份。生产环境使用统一身份认证（OpenID Connect）。',
                'This exists only with GONGGUAN_ENV=development: tokens are signed by this machine’s development key and anyone may pick any identity. Production signs in with OpenID Connect.',
              )}
            />
            <Card title={t('选择演示人员', 'Pick a demo person')}>
              <List
                dataSource={config.demoIdentities}
                renderItem={(p) => (
                  <List.Item
                    actions={[
                      <Button key="go" type="primary" loading={busy === p.subject} onClick={() => void dev(p.subject, p.roles)} aria-label={`${t('登录', 'Sign in')} ${p.subject}`} data-testid={`sign-in-${p.subject}`}>
                        {t('登录', 'Sign in')}
                      </Button>,
                    ]}
                  >
                    <List.Item.Meta title={`${p.name}（${p.subject}）`} description={`${p.roles.map((r) => i18n.role(r)).join('、')} · ${p.title}`} />
                  </List.Item>
                )}
              />
            </Card>
            <Card title={t('其他身份', 'Another identity')}>
              <Form layout="vertical" onFinish={(v: { subject: string; role: string; bureau: string }) => void dev(v.subject, [v.role], v.bureau)} initialValues={{ role: 'officer', bureau: '331000' }}>
                <Form.Item name="subject" label={t('账号', 'Subject')} rules={[{ required: true, pattern: /^[a-z0-9._@+:-]{1,200}$/, message: t('小写字母、数字和 . _ @ + : -', 'lower-case letters, digits and . _ @ + : -') }]}>
                  <Input autoComplete="username" />
                </Form.Item>
                <Form.Item name="role" label={t('角色', 'Role')}>
                  <Select options={Object.keys(roleLabels).map((r) => ({ value: r, label: i18n.role(r) }))} />
                </Form.Item>
                <Form.Item name="bureau" label={t('科技局代码（GB/T 2260）', 'Bureau code (GB/T 2260)')} rules={[{ required: true, pattern: /^[1-9][0-9]{5}$/, message: t('六位数字', 'six digits') }]}>
                  <Input inputMode="numeric" />
                </Form.Item>
                <Button htmlType="submit">{t('登录', 'Sign in')}</Button>
              </Form>
            </Card>
          </>
        )}
        {!config.oidc && !config.devSignIn && <Alert type="error" showIcon message={t('未配置登录方式：请设置 OIDC_ISSUER 与 OIDC_CLIENT_ID。', 'No sign-in is configured: set OIDC_ISSUER and OIDC_CLIENT_ID.')} />}
      </Space>
    </main>
  );
}
