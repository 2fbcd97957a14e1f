import { useNow } from '../components/util';
import { useConnection, useLive } from '../session';
import type { ConnState } from '../store/connection';

type BadgeState = Pick<ConnState, 'status' | 'retryAt' | 'lastError' | 'gaps' | 'lagMs' | 'behind'>;

/** The connection's truth in one word, with the reason on hover. */
export function ConnectionBadge() {
  const state = useConnection((s) => s);
  const duplicates = useLive((s) => s.duplicates);
  const now = useNow(250);
  return <ConnectionBadgeView state={state} duplicates={duplicates} now={now} />;
}

/** What {@link ConnectionBadge} shows for a connection state: live only while the page keeps up. */
export function ConnectionBadgeView({ state, duplicates, now }: { state: BadgeState; duplicates: number; now: number }) {
  const { status, retryAt, lastError, gaps, lagMs } = state;
  const behind = status === 'live' && state.behind;
  const label = behind ? `behind by ${Math.round(lagMs / 1000)} s`
    : status === 'reconnecting' ? `reconnecting in ${Math.max(0, Math.ceil(((retryAt ?? now) - now) / 1000))}s`
      : status === 'catching-up' ? 'catching up'
        : status === 'gap' ? 'gap — resuming'
          : status === 'idle' ? 'not connected' : status;
  const title = [
    behind ? `events reach the screen ${(lagMs / 1000).toFixed(1)} s after the server stored them` : null,
    lastError, gaps ? `${gaps} gap(s) resumed` : null, duplicates ? `${duplicates} redelivered event(s) dropped` : null,
  ].filter(Boolean).join(' · ') || 'one WebSocket, resuming from the last cursor';
  return <span className={`badge ${behind ? 'behind' : status}`} title={title} data-testid="connection">● {label}</span>;
}
