import { useEffect, useState } from 'react';
import { authIsOff } from '../api';
import { auth, useAuth } from '../session';

export function SignIn() {
  const message = useAuth((s) => s.message);
  const [key, setKey] = useState('');
  const [open, setOpen] = useState<boolean | null>(null);
  useEffect(() => { authIsOff().then(setOpen); }, []);
  return (
    <div className="signin">
      <form onSubmit={(e) => { e.preventDefault(); void auth.getState().signIn(key); }}>
        <h1>Agentwatch</h1>
        <p className="muted">Live view of your agents, runs and events.</p>
        <label htmlFor="key">API key</label>
        <input id="key" type="password" autoComplete="off" placeholder="aw_…" value={key}
          onChange={(e) => setKey(e.target.value)} autoFocus />
        <button type="submit">Sign in</button>
        {open && (
          <button type="button" className="ghost" onClick={() => void auth.getState().continueWithoutKey()}>
            Continue without key (this server has auth off)
          </button>
        )}
        {message && <p className="error">{message}</p>}
        <p className="muted small">
          The key stays in this tab only (sessionStorage) and is forgotten when you sign out or close the tab.
          The first admin key is printed once by the server on its first start.
        </p>
      </form>
    </div>
  );
}
