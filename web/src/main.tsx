// certkeeper UI entry: theme, session, routes.
import { render } from 'preact';
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { setUnauthorizedHandler } from './api';
import { restoreSession, sessionExpired, useAuth } from './auth';
import { Spinner, Toasts } from './components';
import { Layout } from './layout';
import { HomePage } from './pages/HomePage';
import { CertificatePage } from './pages/CertificatePage';
import { CsrImportPage } from './pages/CsrImportPage';
import { DetailPage } from './pages/DetailPage';
import { FormPage } from './pages/FormPage';
import { ImportPage } from './pages/ImportPage';
import { ListPage } from './pages/ListPage';
import { LoginPage } from './pages/LoginPage';
import { resources } from './resources';
import { Link, match, navigate, useLocation } from './router';
import { applyTheme } from './theme';
import './styles.css';

applyTheme();
setUnauthorizedHandler(sessionExpired);

/** Analytics (and Chart.js with it) is loaded on first visit only. */
function LazyAnalytics() {
  const [Page, setPage] = useState<ComponentType | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./pages/AnalyticsPage')
      .then((m) => setPage(() => m.AnalyticsPage))
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <div class="page"><div class="alert alert-error" role="alert">Could not load the analytics page. Reload to try again.</div></div>;
  return Page ? <Page /> : <Spinner />;
}

function NotFound() {
  return (
    <div class="page">
      <div class="empty big">
        <h1>Page not found</h1>
        <p>
          Nothing lives at this address. <Link href="/">Back to the dashboard</Link>
        </p>
      </div>
    </div>
  );
}

function Routes() {
  const loc = useLocation();
  const p = loc.path;
  const first = useRef(true);
  useEffect(() => {
    // After a navigation, keyboard and screen-reader focus starts at the new page.
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus({ preventScroll: true });
  }, [p]);
  if (p === '/') return <HomePage />;
  if (p === '/import') return <ImportPage />;
  if (p === '/csrs/new') return <CsrImportPage />;
  if (p === '/analytics') return <LazyAnalytics />;
  if (p === '/login') {
    navigate('/', { replace: true });
    return null;
  }
  let m = match('/certificates/:id', p);
  if (m && /^\d+$/.test(m.id)) return <CertificatePage id={m.id} />;
  for (const r of resources) {
    if (p === r.route) return <ListPage key={r.key} r={r} />;
    if (p === `${r.route}/new` && !r.noCreate) return <FormPage key={`${r.key}-new`} r={r} />;
    m = match(`${r.route}/:id/edit`, p);
    if (m && /^\d+$/.test(m.id)) return <FormPage key={`${r.key}-${m.id}`} r={r} id={m.id} />;
    m = match(`${r.route}/:id`, p);
    if (m && /^\d+$/.test(m.id)) return <DetailPage key={`${r.key}-${m.id}`} r={r} id={m.id} />;
  }
  return <NotFound />;
}

function App() {
  const auth = useAuth();
  useEffect(() => {
    restoreSession();
  }, []);
  useEffect(() => {
    const titles: Record<string, string> = { '/': 'Dashboard', '/import': 'Import', '/analytics': 'Analytics' };
    const first = location.pathname.split('/').filter(Boolean)[0];
    const r = resources.find((x) => x.route.split('/').filter(Boolean)[0] === first);
    document.title = `${titles[location.pathname] || r?.title || 'certkeeper'} · certkeeper`;
  });
  if (auth.status === 'loading')
    return (
      <div class="boot">
        <Spinner />
      </div>
    );
  if (auth.status === 'anonymous')
    return (
      <>
        <LoginPage expired={auth.expired} />
        <Toasts />
      </>
    );
  return (
    <Layout user={auth.user}>
      <Routes />
    </Layout>
  );
}

render(<App />, document.getElementById('app')!);
