import '@picocss/pico/css/pico.min.css';
import './styles.css';

import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { authState, onAuthChange, setToken } from './auth.ts';
import { HealthPage } from './pages/health.tsx';
import { LogsPage } from './pages/logs.tsx';
import { NewImportPage } from './pages/new-import.tsx';
import { OrphansPage } from './pages/orphans.tsx';
import { ProtectionPage } from './pages/protection.tsx';
import { RunPage } from './pages/run.tsx';
import { RunsPage } from './pages/runs.tsx';
import { type Route, useRoute } from './router.ts';

const PAGES = [
  { page: 'health', label: 'Health' },
  { page: 'runs', label: 'Runs' },
  { page: 'orphans', label: 'Orphans' },
  { page: 'protection', label: 'Protection' },
  { page: 'logs', label: 'Logs' },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'runs':
      if (route.id === 'new') return <NewImportPage />;
      return route.id ? <RunPage key={route.id} id={route.id} /> : <RunsPage />;
    case 'orphans':
      return <OrphansPage />;
    case 'protection':
      return <ProtectionPage />;
    case 'logs':
      return <LogsPage />;
    default:
      return <HealthPage />;
  }
}

/** Asks for BPETL_API_TOKEN the first time the server refuses an operation for want of it. */
function TokenDialog() {
  const [state, setState] = useState(authState);
  const [value, setValue] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => onAuthChange(setState), []);
  useEffect(() => {
    if (state.needed && !dialog.current?.open) dialog.current?.showModal();
    if (!state.needed && dialog.current?.open) dialog.current.close();
  }, [state]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (value.trim()) setToken(value.trim());
    setValue('');
  };
  return (
    <dialog ref={dialog} aria-labelledby="token-title" onCancel={(e) => e.preventDefault()}>
      <article>
        <h3 id="token-title">API token</h3>
        <form onSubmit={submit}>
          <p>
            This server needs its <code>BPETL_API_TOKEN</code> for changes and live updates. It is kept in
            this tab only.
          </p>
          {state.refused && (
            <p class="error" role="alert" data-testid="token-refused">
              The server refused that token.
            </p>
          )}
          <label>
            Token
            <input
              type="password"
              name="token"
              autocomplete="off"
              required
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </label>
          <button type="submit">Use token</button>
        </form>
      </article>
    </dialog>
  );
}

function App() {
  const route = useRoute();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="container">
        <nav aria-label="Console">
          <ul>
            <li>
              <strong>bulletproof-etl</strong>
            </li>
          </ul>
          <ul>
            {PAGES.map((p) => (
              <li key={p.page}>
                <a href={`#/${p.page}`} aria-current={route.page === p.page ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
            <li>
              <a href="/graphql">GraphiQL</a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" class="container" tabIndex={-1}>
        <Page route={route} />
      </main>
      <TokenDialog />
    </>
  );
}

render(<App />, document.getElementById('app')!);
