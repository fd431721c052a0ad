/**
 * The app shell: the header nav, the sign-in screen (when the API answers 401), an error boundary
 * around the page (never a blank page), and the routes. Pages load on demand, so the first load
 * carries the shell and the jobs list only; the job page's graph and players come when opened.
 */
import { Component, type ComponentChildren, type FunctionComponent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, hasApiKey, messageOf, useApiKey } from './api.ts';
import { AuthContext, needsSignIn, type AuthState } from './components/shell-auth.ts';
import { ErrorNote } from './components/shell-bits.tsx';
import { interceptLinks, match, navigate, usePath } from './router.ts';
import { JobsView } from './views/jobs-view.tsx';

interface SessionInfo {
  signedIn: boolean;
  via: 'session' | 'key' | null;
  sessions: boolean;
}

// ---- pages loaded when first opened

type Loader = () => Promise<FunctionComponent<any>>;
const loaded = new Map<Loader, FunctionComponent<any>>();

/**
 * Renders the component `load` resolves to, loading it once (a code-split chunk). Going from one
 * lazy page to another reuses this instance with another `load`: what it shows follows `load`.
 */
function Lazy(props: { load: Loader; props?: Record<string, unknown> }) {
  const [, loadedOne] = useState(0);
  const [failed, setFailed] = useState<{ load: Loader; error: string } | null>(null);
  const C = loaded.get(props.load) ?? null;
  useEffect(() => {
    if (loaded.has(props.load)) return;
    let alive = true;
    const load = props.load;
    load().then(
      (c) => {
        loaded.set(load, c);
        if (alive) loadedOne((n) => n + 1);
      },
      (e: unknown) => alive && setFailed({ load, error: `this page could not be loaded (${messageOf(e)}); the UI may have been updated: reload the page` }),
    );
    return () => {
      alive = false;
    };
  }, [props.load]);
  if (failed?.load === props.load) return <ErrorNote error={failed.error} />;
  if (!C) return <p class="s-muted" aria-live="polite">Loading…</p>;
  return <C {...props.props} />;
}

const NewJobView: Loader = () => import('./views/new-job-view.tsx').then((m) => m.NewJobView);
const DashboardsView: Loader = () => import('./views/dashboards-view.tsx').then((m) => m.DashboardsView);
const JobView: Loader = () => import('./views/job-view.tsx').then((m) => m.JobView);
const WorkflowsView: Loader = () => import('./views/workflows-view.tsx').then((m) => m.WorkflowsView);
const FunctionsView: Loader = () => import('./views/functions-view.tsx').then((m) => m.FunctionsView);
const RulesView: Loader = () => import('./views/rules-view.tsx').then((m) => m.RulesView);

interface RouteDef {
  pattern: string;
  title: string;
  nav?: string;
  render: (params: Record<string, string>) => ComponentChildren;
}

const ROUTES: RouteDef[] = [
  { pattern: '/', title: 'Jobs', nav: '/jobs', render: () => <JobsView /> },
  { pattern: '/jobs', title: 'Jobs', nav: '/jobs', render: () => <JobsView /> },
  { pattern: '/jobs/new', title: 'New job', nav: '/jobs/new', render: () => <Lazy load={NewJobView} /> },
  // Keyed by id: another job's page starts fresh.
  { pattern: '/jobs/:id', title: 'Job', nav: '/jobs', render: (p) => <Lazy key={p.id} load={JobView} props={{ id: p.id, navigate }} /> },
  { pattern: '/workflows', title: 'Workflows', nav: '/workflows', render: () => <Lazy load={WorkflowsView} /> },
  { pattern: '/functions', title: 'Functions', nav: '/functions', render: () => <Lazy load={FunctionsView} /> },
  { pattern: '/rules', title: 'Rules', nav: '/rules', render: () => <Lazy load={RulesView} /> },
  { pattern: '/dashboards', title: 'Dashboards', nav: '/dashboards', render: () => <Lazy load={DashboardsView} /> },
];

const NAV: { href: string; label: string }[] = [
  { href: '/jobs', label: 'Jobs' },
  { href: '/jobs/new', label: 'New job' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/functions', label: 'Functions' },
  { href: '/rules', label: 'Rules' },
  { href: '/dashboards', label: 'Dashboards' },
];

function route(path: string): { def: RouteDef | null; params: Record<string, string> } {
  for (const def of ROUTES) {
    const params = match(def.pattern, path);
    if (params) return { def, params };
  }
  return { def: null, params: {} };
}

// ---- error boundary

class ErrorBoundary extends Component<{ resetKey: string; children: ComponentChildren }, { error: string | null }> {
  state = { error: null as string | null };
  static getDerivedStateFromError(e: unknown) {
    return { error: messageOf(e) };
  }
  componentDidCatch(e: unknown) {
    this.setState({ error: messageOf(e) });
  }
  componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }
  render() {
    if (this.state.error)
      return (
        <div class="s-panel">
          <h1>Something went wrong on this page</h1>
          <ErrorNote error={this.state.error} />
          <p>
            <button type="button" onClick={() => this.setState({ error: null })}>
              Try again
            </button>{' '}
            <a href="/jobs">Back to jobs</a>
          </p>
        </div>
      );
    return this.props.children;
  }
}

// ---- sign-in

function SignIn(props: { onSignedIn: (via: 'session' | 'key') => void; expired: boolean }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const apiKey = key.trim();
    if (!apiKey) return setError('paste the API key first');
    setBusy(true);
    setError(null);
    try {
      await api.post<SessionInfo>('/v1/session', { apiKey });
      useApiKey(null);
      props.onSignedIn('session');
    } catch (err) {
      // No browser sessions here (AWS: API Gateway wants x-api-key): keep the key in memory instead.
      if (err instanceof ApiError && (err.status === 404 || (err.status === 403 && err.code !== 'forbidden'))) {
        useApiKey(apiKey);
        try {
          const s = await api.get<SessionInfo>('/v1/session');
          if (!s.signedIn) throw new Error('the API key was not accepted');
          props.onSignedIn('key');
          return;
        } catch (again) {
          useApiKey(null);
          setError(messageOf(again));
        }
      } else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="s-signin">
      <form class="s-panel" onSubmit={submit}>
        <h1>Sign in to Mosaic</h1>
        {props.expired ? <p role="status">Your session ended. Sign in again.</p> : null}
        <p class="s-muted">
          Open the sign-in link <code>mosaic serve</code> printed, or paste the API key (it is in <code>&lt;out&gt;/.mosaic/api-key</code>).
        </p>
        <label for="s-apikey">API key</label>
        <input id="s-apikey" type="password" autoComplete="off" spellcheck={false} value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} required />
        <ErrorNote error={error} />
        <button type="submit" class="s-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

// ---- the shell

function Header(props: { path: string; onSignOut: () => void }) {
  const here = route(props.path).def?.nav ?? props.path.split('?')[0];
  return (
    <header class="s-header">
      <a class="s-skip" href="#main" data-external>
        Skip to content
      </a>
      <a class="s-brand" href="/jobs">
        Mosaic
      </a>
      <nav aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.href}>
              <a href={n.href} aria-current={here === n.href ? 'page' : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" class="s-signout" onClick={props.onSignOut}>
        Sign out
      </button>
    </header>
  );
}

type AuthPhase = { phase: 'checking' } | { phase: 'out'; expired: boolean } | { phase: 'in'; via: 'session' | 'key' } | { phase: 'unreachable'; error: string };

export function App() {
  const path = usePath();
  const [auth, setAuth] = useState<AuthPhase>({ phase: 'checking' });
  const root = useRef<HTMLDivElement>(null);

  const check = useCallback(async () => {
    try {
      const s = await api.get<SessionInfo>('/v1/session');
      if (!s.signedIn) return setAuth({ phase: 'out', expired: false });
      setAuth({ phase: 'in', via: s.via === 'key' || hasApiKey() ? 'key' : 'session' });
    } catch (e) {
      if (needsSignIn(e)) setAuth({ phase: 'out', expired: false });
      else setAuth({ phase: 'unreachable', error: messageOf(e) });
    }
  }, []);
  useEffect(() => void check(), [check]);
  // A session that ended (idle, server restarted) shows the sign-in screen, not a page of errors.
  useEffect(() => {
    if (auth.phase !== 'in') return;
    const again = () =>
      void api.get<SessionInfo>('/v1/session').then(
        (s) => !s.signedIn && setAuth({ phase: 'out', expired: true }),
        (e: unknown) => needsSignIn(e) && setAuth({ phase: 'out', expired: true }),
      );
    const t = setInterval(again, 30_000);
    window.addEventListener('focus', again);
    return () => {
      clearInterval(t);
      window.removeEventListener('focus', again);
    };
  }, [auth.phase]);
  useEffect(() => (root.current ? interceptLinks(root.current) : undefined), []);

  const { def, params } = route(path);
  useEffect(() => {
    document.title = def ? `${def.title} — Mosaic` : 'Mosaic';
  }, [def]);

  const signOut = useCallback(() => {
    void api.del('/v1/session').catch(() => undefined);
    useApiKey(null);
    setAuth({ phase: 'out', expired: false });
  }, []);
  const authState: AuthState = {
    via: auth.phase === 'in' ? auth.via : 'session',
    signOut,
    expired: () => {
      useApiKey(null);
      setAuth({ phase: 'out', expired: true });
    },
  };

  let body: ComponentChildren;
  if (auth.phase === 'checking') body = <p class="s-muted s-center">Loading…</p>;
  else if (auth.phase === 'unreachable')
    body = (
      <main id="main" class="s-signin">
        <div class="s-panel">
          <h1>The Mosaic API did not answer</h1>
          <ErrorNote error={auth.error} />
          <button type="button" onClick={() => void check()}>
            Try again
          </button>
        </div>
      </main>
    );
  else if (auth.phase === 'out') body = <SignIn expired={auth.expired} onSignedIn={(via) => setAuth({ phase: 'in', via })} />;
  else
    body = (
      <>
        <Header path={path} onSignOut={signOut} />
        <main id="main" class="s-main" tabIndex={-1}>
          <ErrorBoundary resetKey={path}>
            {def ? (
              def.render(params)
            ) : (
              <div class="s-panel">
                <h1>Not found</h1>
                <p>
                  There is no page at <code>{path}</code>. <a href="/jobs">See the jobs</a>.
                </p>
              </div>
            )}
          </ErrorBoundary>
        </main>
      </>
    );
  return (
    <div ref={root} class="s-app">
      <AuthContext.Provider value={authState}>{body}</AuthContext.Provider>
    </div>
  );
}

export { navigate };
