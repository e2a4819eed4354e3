import { App as AntApp, Alert, ConfigProvider, Layout, Menu, Segmented, Space, Spin, Typography, Button } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, type ReactNode } from 'react';
import { createHashRouter, Navigate, Outlet, RouterProvider, useLocation, useNavigate } from 'react-router-dom';
import { AuthProvider, useAuth } from './lib/auth';
import type { ConsoleConfig } from './lib/config';
import { I18nProvider, useI18n } from './lib/i18n';
import { SignIn } from './pages/SignIn';
import { homeFor, Worklist } from './pages/Worklist';

const ProjectPage = lazy(() => import('./pages/ProjectPage'));
const Projects = lazy(() => import('./pages/Projects'));
const Programmes = lazy(() => import('./pages/Programmes'));
const Reviews = lazy(() => import('./pages/Reviews'));
const Approvals = lazy(() => import('./pages/Approvals'));
const Finance = lazy(() => import('./pages/Finance'));
const DisbursementPage = lazy(() => import('./pages/DisbursementPage'));
const Audit = lazy(() => import('./pages/Audit'));
const AuditProject = lazy(() => import('./pages/AuditProject'));
const Reports = lazy(() => import('./pages/Reports'));

function Shell() {
  const { session, signOut, config } = useAuth();
  const i18n = useI18n();
  const { t } = i18n;
  const navigate = useNavigate();
  const location = useLocation();
  if (!session) return <SignIn />;
  const has = (r: string) => session.roles.includes(r);
  const items = [
    has('officer') && { key: '/worklist', label: t('我的待办', 'My worklist') },
    has('reviewer') && { key: '/reviews', label: t('我的评审', 'My reviews') },
    has('approver') && { key: '/approvals', label: t('待我审批', 'Awaiting my approval') },
    has('finance') && { key: '/finance', label: t('资金拨付', 'Payments') },
    (has('officer') || has('approver') || has('finance') || has('auditor') || has('reporter')) && { key: '/projects', label: t('项目查询', 'Projects') },
    (has('officer') || has('reporter') || has('auditor')) && { key: '/programmes', label: t('计划与名额', 'Programmes') },
    has('auditor') && { key: '/audit', label: t('审计核查', 'Audit') },
    // The reporting API's readers: reporter, officer, auditor (approvers and finance read only the lists their work needs).
    (has('reporter') || has('officer') || has('auditor')) && { key: '/reports', label: t('统计报表', 'Reports') },
  ].filter(Boolean) as Array<{ key: string; label: string }>;
  const selected = items.map((i) => i.key).filter((k) => location.pathname.startsWith(k));
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 16, flexWrap: 'wrap', height: 'auto', lineHeight: '48px' }}>
        <Typography.Title level={1} style={{ color: '#fff', fontSize: 18, margin: 0, whiteSpace: 'nowrap' }}>
          <a href="#/" style={{ color: '#fff' }}>{t('攻关 · 科技攻关项目管理', 'Gongguan · breakthrough projects')}</a>
        </Typography.Title>
        <Menu theme="dark" mode="horizontal" selectedKeys={selected} items={items} onClick={(e) => navigate(e.key)} style={{ flex: 1, minWidth: 0 }} aria-label={t('主导航', 'Main navigation')} />
        <Space wrap>
          <Segmented size="small" value={i18n.lang} onChange={(v) => i18n.setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'English', value: 'en' }]} aria-label={t('语言', 'Language')} />
          <Typography.Text style={{ color: '#fff' }} data-testid="whoami">
            {session.subject} · {session.roles.map((r) => i18n.role(r)).join('、')}
          </Typography.Text>
          <Button size="small" onClick={signOut}>{t('退出', 'Sign out')}</Button>
        </Space>
      </Layout.Header>
      {config.env === 'development' && config.devSignIn && (
        <Alert type="warning" banner showIcon message={t('开发环境：演示登录，令牌由本机开发密钥签发，不得用于生产。', 'Development: demo sign-in with the development key; never for production.')} />
      )}
      <Layout.Content style={{ padding: 16, maxWidth: 1400, width: '100%', margin: '0 auto' }}>
        <Suspense fallback={<Spin aria-label={t('加载中', 'Loading')} />}>
          <Outlet />
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}

function Home() {
  const { session } = useAuth();
  return <Navigate to={homeFor(session?.roles ?? [])} replace />;
}

const router = createHashRouter([
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: 'worklist', element: <Worklist /> },
      { path: 'reviews', element: <Reviews /> },
      { path: 'approvals', element: <Approvals /> },
      { path: 'finance', element: <Finance /> },
      { path: 'projects', element: <Projects /> },
      { path: 'projects/:projectId', element: <ProjectPage /> },
      { path: 'programmes', element: <Programmes /> },
      { path: 'disbursements/:disbursementId', element: <DisbursementPage /> },
      { path: 'audit', element: <Audit /> },
      { path: 'audit/projects/:projectId', element: <AuditProject /> },
      { path: 'reports', element: <Reports /> },
      { path: '*', element: <Home /> },
    ],
  },
]);

// Secondary text darker than Ant Design's defaults: WCAG AA contrast (4.5:1) on white, checked by axe-core in the browser tests.
const theme = {
  token: {
    colorPrimary: '#b71c1c',
    // Ant Design's link blue (#1677ff) is 4.0:1 on white; blue-7 is 5.9:1. Its red (#ff4d4f) on white is 3.3:1.
    colorLink: '#0958d9',
    colorError: '#c62828',
    borderRadius: 4,
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.56)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
    colorTextDisabled: 'rgba(0, 0, 0, 0.56)',
  },
};

function Themed({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function App({ config }: { config: ConsoleConfig }) {
  return (
    <I18nProvider>
      <Themed>
        <AuthProvider config={config}>
          <RouterProvider router={router} />
        </AuthProvider>
      </Themed>
    </I18nProvider>
  );
}
