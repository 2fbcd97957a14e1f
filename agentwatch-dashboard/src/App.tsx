import { useEffect, useState } from 'react';
import { ConnectionBadge } from './views/ConnectionBadge';
import { SignIn } from './views/SignIn';
import { Overview } from './views/Overview';
import { LiveEvents } from './views/LiveEvents';
import { RunView } from './views/RunView';
import { AgentView } from './views/AgentView';
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
          {tab('events', 'Live events')}
          {page === 'run' && <span className="tab active">Run {id}</span>}
          {page === 'agent' && <span className="tab active">Agent {id}</span>}
        </nav>
        <ConnectionBadge />
        <button className="ghost" onClick={() => auth.getState().signOut()}>
          {key ? 'Sign out' : 'Leave'}
        </button>
      </header>
      <main>
        {page === 'events' ? <LiveEvents />
          : page === 'run' && id ? <RunView runId={id} />
            : page === 'agent' && id ? <AgentView agentId={id} />
              : <Overview />}
      </main>
    </div>
  );
}
