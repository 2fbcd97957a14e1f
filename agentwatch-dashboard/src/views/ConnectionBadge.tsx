import { useNow } from '../components/util';
import { useConnection, useLive } from '../session';

/** The connection's truth in one word, with the reason on hover. */
export function ConnectionBadge() {
  const { status, retryAt, lastError, gaps } = useConnection((s) => s);
  const duplicates = useLive((s) => s.duplicates);
  const now = useNow(250);
  const label = status === 'reconnecting'
    ? `reconnecting in ${Math.max(0, Math.ceil(((retryAt ?? now) - now) / 1000))}s`
    : status === 'catching-up' ? 'catching up'
      : status === 'gap' ? 'gap — resuming'
        : status === 'idle' ? 'not connected' : status;
  const title = [lastError, gaps ? `${gaps} gap(s) resumed` : null, duplicates ? `${duplicates} redelivered event(s) dropped` : null]
    .filter(Boolean).join(' · ') || 'one WebSocket, resuming from the last cursor';
  return <span className={`badge ${status}`} title={title} data-testid="connection">● {label}</span>;
}
