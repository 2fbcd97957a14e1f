import { useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { Empty, Loading, Problem, ago, href, time, useFetch, useNow } from '../components/util';
import { useLive } from '../session';
import type { Alert, AwEvent } from '../types';

export const DETECTORS = ['routing_loop', 'stuck_task', 'lost_agent', 'resource_hoarding',
  'communication_cascade', 'inconsistent_agent', 'anomaly', 'budget', 'flood_control'];

/** How many alert events have streamed in: a change means the list is worth asking for again. */
export const useAlertActivity = () => useLive((s) => Object.entries(s.typeCounts)
  .reduce((n, [type, count]) => (type.startsWith('alert.') ? n + count : n), 0));

/** Alerts raised by the analytics, live, with their evidence and an acknowledge button. */
export function AlertsView() {
  const [state, setState] = useState<'open' | 'resolved' | ''>('open');
  const [detector, setDetector] = useState('');
  const alerts = useFetch(`alerts:${state}:${detector}`, () =>
    api.alerts({ state: state || undefined, detector: detector || undefined }));
  const activity = useAlertActivity();
  const { reload } = alerts;
  useEffect(() => {
    if (activity === 0) return;
    const t = setTimeout(reload, 500);
    return () => clearTimeout(t);
  }, [activity, reload]);
  const now = useNow(5000);

  return (
    <div className="alerts-view">
      <div className="toolbar">
        <label className="small muted" htmlFor="alert-state">state</label>
        <select id="alert-state" value={state} onChange={(e) => setState(e.target.value as typeof state)}>
          <option value="open">open</option>
          <option value="resolved">resolved</option>
          <option value="">all</option>
        </select>
        <label className="small muted" htmlFor="alert-detector">detector</label>
        <select id="alert-detector" value={detector} onChange={(e) => setDetector(e.target.value)}>
          <option value="">every detector</option>
          {DETECTORS.map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
        <span className="muted small">{alerts.data ? `${alerts.data.alerts.length} shown` : ''}</span>
      </div>
      {alerts.loading && !alerts.data ? <Loading what="alerts" />
        : alerts.error && !alerts.data ? <Problem error={alerts.error} retry={alerts.reload} />
          : alerts.data!.alerts.length === 0 ? (
            <Empty>{state === 'open' ? 'No open alert. The detectors watch every event; anything they find shows here at once.'
              : 'No alert matches.'}</Empty>
          ) : (
            <ul className="alert-list">
              {alerts.data!.alerts.map((a) => <AlertRow key={a.id} alert={a} now={now} onChange={alerts.reload} />)}
            </ul>
          )}
    </div>
  );
}

/** What a recorded policy match meant. */
function describeMatch(outcome: string | null | undefined): string {
  switch (outcome) {
    case 'dry-run': return 'would have issued (dry run)';
    case 'notified': return 'notified';
    case 'cooldown': return 'held back by its cooldown:';
    case 'cap': return 'held back by its cap:';
    default: return 'matched';
  }
}

function AlertRow({ alert: a, now, onChange }: { alert: Alert; now: number; onChange: () => void }) {
  const [evidence, setEvidence] = useState<AwEvent | null>(null);
  const [expanded, setExpanded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function acknowledge() {
    try {
      await api.ackAlert(a.id);
      onChange();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? 'Acknowledging needs a key with the admin scope (403).' : (e as Error).message);
    }
  }

  async function show(id: string) {
    setError(null);
    try {
      const events = await api.events(a.runId ? { runId: a.runId } : { agentId: a.agents[0] }, 10);
      const found = events.find((e) => e.id === id);
      if (found) setEvidence(found);
      else setError(`event ${id} is not in the first 10,000 events of ${a.runId ? `run ${a.runId}` : `agent ${a.agents[0]}`}`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <li className={`alert level-${a.severity} ${a.state}`}>
      <div className="alert-head">
        <span className={`sev sev-${a.severity}`}>{a.severity}</span>
        <b>{a.detector}</b>
        {(a.count ?? 1) > 1 && (
          <span className="count-badge" data-testid="alert-count" title="findings grouped in this alert">
            ×{a.count}{a.state === 'open' ? ` · ${a.open} open` : ''}
          </span>
        )}
        <span className="muted small">raised {ago(a.raisedAt, now)}{a.resolvedAt ? ` · resolved ${time(a.resolvedAt)}` : ''}</span>
        {a.runId && <a className="small" href={href(`/run/${encodeURIComponent(a.runId)}`)}>run {a.runId}</a>}
        <span className="grow" />
        {a.acknowledgedAt ? <span className="muted small">acknowledged {time(a.acknowledgedAt)}</span>
          : <button onClick={() => void acknowledge()}>Acknowledge</button>}
      </div>
      <div className="alert-message">{a.message}</div>
      <div className="small">
        agents {a.agents.map((id) => <a key={id} href={href(`/agent/${encodeURIComponent(id)}`)}>{id} </a>)}
        {a.evidence.length > 0 && <> · evidence {a.evidence.slice(0, 12).map((id) => (
          <button key={id} className="link" onClick={() => void show(id)}>{id}</button>))}
        {a.evidence.length > 12 && <span className="muted"> +{a.evidence.length - 12} more</span>}</>}
      </div>
      {(a.actions ?? []).length > 0 && (
        <ul className="actions small" data-testid="alert-actions">
          {a.actions!.map((x) => (
            <li key={x.eventId} className={x.kind === 'command' ? 'auto-action' : 'muted'}>
              {time(x.at)} · policy <b>{x.policyId}</b>{' '}
              {x.kind === 'command' ? <>issued <b>{x.type}</b> to </> : <>{describeMatch(x.outcome)} <b>{x.type}</b> for </>}
              <a href={href(`/agent/${encodeURIComponent(x.agentId ?? '')}`)}>{x.agentId}</a>
            </li>
          ))}
        </ul>
      )}
      {(a.count ?? 1) > 1 && (
        <div className="small">
          <button className="link" onClick={() => setExpanded(!expanded)}>
            {expanded ? 'hide' : 'show'} the {a.count} findings{a.items && a.items.length < (a.count ?? 0) ? ` (first ${a.items.length})` : ''}
          </button>
          {expanded && (
            <ul className="items" data-testid="alert-items">
              {(a.items ?? []).map((i) => (
                <li key={i.finding} className={i.state}>
                  <span className={`sev sev-${i.severity}`}>{i.state}</span>{' '}
                  {a.detector === 'flood_control' && <b>{i.detector} </b>}
                  <b>{i.label}</b> <span className="muted">{time(i.raisedAt)}</span> — {i.message}
                  {i.resolution && <span className="muted"> (resolved: {i.resolution})</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error && <p className="error small">{error}</p>}
      {evidence && (
        <div className="evidence">
          <button className="ghost" onClick={() => setEvidence(null)}>Close</button>
          <pre>{JSON.stringify(evidence, null, 2)}</pre>
        </div>
      )}
    </li>
  );
}
