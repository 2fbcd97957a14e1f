import { useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { Empty, time, useFetch } from '../components/util';
import { useLive } from '../session';

/**
 * Pause, resume, cancel the current task or quarantine an agent (admin keys), with the last
 * commands and the agent's answers. The list refreshes whenever a command event streams in.
 */
export function CommandPanel({ agentId, currentTaskId }: { agentId: string; currentTaskId: string | null | undefined }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);
  const list = useFetch(`commands:${agentId}`, () => api.commands(agentId));
  const answers = useLive((s) => (s.typeCounts['command.issued'] ?? 0) + (s.typeCounts['command.acknowledged'] ?? 0));
  const reload = list.reload;
  useEffect(() => { if (answers > 0) reload(); }, [answers, reload]);

  async function issue(type: string) {
    if (type === 'quarantine' && !window.confirm(`Quarantine ${agentId}? It stops taking work until resumed.`)) return;
    setBusy(true);
    setMessage(null);
    try {
      const body: { type: string; reason?: string; taskId?: string } = { type };
      if (reason.trim()) body.reason = reason.trim();
      if (type === 'cancel' && currentTaskId) body.taskId = currentTaskId;
      const r = await api.command(agentId, body);
      setMessage({
        text: r.agentConnected ? `${type} sent; waiting for the agent's answer.`
          : `${type} recorded; the agent is not connected and gets it when it says hello (within 15 minutes).`,
        bad: false,
      });
      reload();
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      setMessage({
        text: status === 403 ? 'This key may not command agents (403): it needs the admin scope.' : (e as Error).message,
        bad: true,
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="commands">
      <h2>Commands</h2>
      <div className="toolbar">
        <input placeholder="reason (optional, shown to the agent)" value={reason} maxLength={1000}
          onChange={(e) => setReason(e.target.value)} className="grow" />
        <button disabled={busy} onClick={() => void issue('pause')}>Pause</button>
        <button disabled={busy} onClick={() => void issue('resume')}>Resume</button>
        <button disabled={busy || !currentTaskId} title={currentTaskId ? `cancel ${currentTaskId}` : 'no task running'}
          onClick={() => void issue('cancel')}>Cancel task</button>
        <button disabled={busy} className="danger" onClick={() => void issue('quarantine')}>Quarantine</button>
      </div>
      {message && <p className={message.bad ? 'error' : 'muted small'}>{message.text}</p>}
      {list.error ? <p className="error">{list.error}</p>
        : !list.data || list.data.commands.length === 0 ? <Empty>No command has been sent to this agent.</Empty> : (
          <table className="grid-table">
            <thead><tr><th>issued</th><th>command</th><th>reason</th><th>state</th><th>answer</th></tr></thead>
            <tbody>
              {list.data.commands.map((c) => (
                <tr key={c.commandId} className={c.state === 'rejected' ? 'bad' : ''}>
                  <td>{time(c.issuedAt)}</td>
                  <td>{c.type}{c.taskId ? ` ${c.taskId}` : ''}</td>
                  <td>{c.reason ?? '—'}</td>
                  <td className={`cmd-${c.state}`}>{c.state}</td>
                  <td>{c.acknowledgedAt ? `${time(c.acknowledgedAt)}${c.answer ? ` · ${c.answer}` : ''}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
