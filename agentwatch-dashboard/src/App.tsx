import { useEffect, useState } from 'react';
import { ConnectionBadge } from './views/ConnectionBadge';
import { SignIn } from './views/SignIn';
import { Overview } from './views/Overview';
import { LiveEvents } from './views/LiveEvents';
import { RunView } from './views/RunView';
import { RunsView } from './views/RunsView';
import { AgentView } from './views/AgentView';
import { AlertsView, useAlertActivity } from './views/AlertsView';
import { PoliciesView } from './views/PoliciesView';
import { api } from './api';
import { useFetch } from './components/util';
import { auth, useAuth } from './session';

function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'overview').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function App() {
  const key = useAuth((s) => s.key);
  const route = useRoute();
  if (key === null) return <SignIn />;
  const [page, id] = route;
  const tab = (name: string, label: string) => (
    <a href={`#/${name}`} className={page === name || (name === 'runs' && page === 'run') ? 'tab active' : 'tab'}>{label}</a>
  );
  return (
    <div className="app">
      <header className="top">
        <span className="brand">Agentwatch</span>
        <nav>
          {tab('overview', 'Overview')}
          {tab('runs', 'Runs')}
          {tab('events', 'Live events')}
          <AlertsTab active={page === 'alerts'} />
          {tab('policies', 'Policies & budgets')}
          {page === 'run' && <span className="tab active current">Run {id}</span>}
          {page === 'agent' && <span className="tab active current">Agent {id}</span>}
        </nav>
        <ConnectionBadge />
        <button className="ghost" onClick={() => auth.getState().signOut()}>
          {key ? 'Sign out' : 'Leave'}
        </button>
      </header>
      <main>
        {page === 'events' ? <LiveEvents />
          : page === 'runs' ? <RunsView />
          : page === 'alerts' ? <AlertsView />
          : page === 'policies' ? <PoliciesView />
          : page === 'run' && id ? <RunView runId={id} />
            : page === 'agent' && id ? <AgentView agentId={id} />
              : <Overview />}
      </main>
    </div>
  );
}

/** The Alerts tab with the number of open alerts, refreshed as alert events stream in. */
function AlertsTab({ active }: { active: boolean }) {
  const activity = useAlertActivity();
  const open = useFetch('open-alerts', () => api.alerts({ state: 'open' }));
  const { reload } = open;
  useEffect(() => {
    if (activity === 0) return;
    const t = setTimeout(reload, 500);
    return () => clearTimeout(t);
  }, [activity, reload]);
  const n = open.data?.alerts.length ?? 0;
  return (
    <a href="#/alerts" className={active ? 'tab active' : 'tab'}>
      Alerts{n > 0 && <span className="count" data-testid="open-alerts">{n >= 200 ? '200+' : n}</span>}
    </a>
  );
}
