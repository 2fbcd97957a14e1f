import { useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../api';
import { Empty, href, time, useFetch } from '../components/util';
import { commands, useCommands, useLive } from '../session';
import type { SentCommand } from '../store/commands';

const LABEL: Record<string, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel task', quarantine: 'Quarantine' };

/**
 * Pause, resume, cancel the current task or quarantine an agent (admin keys), with the last
 * commands and the agent's answers. A button press shows at once (pending), turns applied when the
 * agent answers, and rolls back visibly, with the reason, when the server refuses it, the agent
 * rejects it or no answer comes in time. Commands a policy issued are marked as automatic.
 */
export function CommandPanel({ agentId, currentTaskId }: { agentId: string; currentTaskId: string | null | undefined }) {
  const [reason, setReason] = useState('');
  const list = useFetch(`commands:${agentId}`, () => api.commands(agentId));
  const answers = useLive((s) => (s.typeCounts['command.issued'] ?? 0) + (s.typeCounts['command.acknowledged'] ?? 0));
  const allSent = useCommands((s) => s.sent);
  const sent = useMemo(() => allSent.filter((c) => c.agentId === agentId), [allSent, agentId]);
  const inFlight = sent.some((c) => c.phase === 'sending' || c.phase === 'pending');
  const reload = list.reload;
  useEffect(() => { if (answers > 0) reload(); }, [answers, reload]);

  async function issue(type: string) {
    if (type === 'quarantine' && !window.confirm(`Quarantine ${agentId}? It stops taking work until resumed.`)) return;
    const key = commands.getState().start(agentId, type);
    try {
      const body: { type: string; reason?: string; taskId?: string } = { type };
      if (reason.trim()) body.reason = reason.trim();
      if (type === 'cancel' && currentTaskId) body.taskId = currentTaskId;
      const r = await api.command(agentId, body);
      commands.getState().recorded(key, r.commandId, r.agentConnected);
      reload();
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      commands.getState().failed(key, status === 403 ? 'This key may not command agents (403): it needs the admin scope.'
        : (e as Error).message);
    }
  }

  return (
    <section className="commands">
      <h2>Commands</h2>
      <div className="toolbar">
        <input placeholder="reason (optional, shown to the agent)" value={reason} maxLength={1000}
          onChange={(e) => setReason(e.target.value)} className="grow" />
        {(['pause', 'resume', 'cancel', 'quarantine'] as const).map((type) => (
          <button key={type} disabled={inFlight || (type === 'cancel' && !currentTaskId)}
            className={type === 'quarantine' ? 'danger' : ''} data-command={type}
            title={type === 'cancel' ? (currentTaskId ? `cancel ${currentTaskId}` : 'no task running') : undefined}
            onClick={() => void issue(type)}>{LABEL[type]}</button>
        ))}
      </div>
      {sent.slice(-3).reverse().map((c) => <SentRow key={c.key} command={c} />)}
      {list.error ? <p className="error">{list.error}</p>
        : !list.data || list.data.commands.length === 0 ? <Empty>No command has been sent to this agent.</Empty> : (
          <table className="grid-table">
            <thead><tr><th>issued</th><th>command</th><th>by</th><th>reason</th><th>state</th><th>answer</th></tr></thead>
            <tbody>
              {list.data.commands.map((c) => {
                const auto = c.issuedBy?.startsWith('policy:');
                return (
                  <tr key={c.commandId} className={[c.state === 'rejected' ? 'bad' : '', auto ? 'auto' : ''].join(' ')}>
                    <td>{time(c.issuedAt)}</td>
                    <td>{c.type}{c.taskId ? ` ${c.taskId}` : ''}</td>
                    <td>{auto ? <span className="auto-action" title={c.alertId ? `alert ${c.alertId}` : undefined}>
                      auto · {c.issuedBy}{c.alertId && <> · <a href={href('/alerts')}>alert</a></>}</span> : (c.issuedBy ?? '—')}</td>
                    <td className="reason">{c.reason ?? '—'}</td>
                    <td className={`cmd-${c.state}`}>{c.state}</td>
                    <td>{c.acknowledgedAt ? `${time(c.acknowledgedAt)}${c.answer ? ` · ${c.answer}` : ''}` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
    </section>
  );
}

/** A command pressed on this page: pending, applied, or rolled back with why. */
function SentRow({ command: c }: { command: SentCommand }) {
  const what = LABEL[c.type] ?? c.type;
  return (
    <p className={`sent cmd-${c.phase}`} data-testid="command-state" data-phase={c.phase}>
      {c.phase === 'sending' || c.phase === 'pending' ? <>{what}: pending — waiting for {c.agentId} to answer…</>
        : c.phase === 'applied' ? <>{what}: applied by {c.agentId}.</>
          : <>{what} rolled back: {c.reason}</>}
      {c.phase !== 'sending' && c.phase !== 'pending' && (
        <button className="link" onClick={() => commands.getState().dismiss(c.key)}>dismiss</button>
      )}
    </p>
  );
}
