import { useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { Empty, Loading, Problem, ago, href, time, useFetch, useNow } from '../components/util';
import { useLive } from '../session';
import type { Alert, AwEvent } from '../types';

export const DETECTORS = ['routing_loop', 'stuck_task', 'lost_agent', 'resource_hoarding',
  'communication_cascade', 'inconsistent_agent', 'anomaly'];

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
        <select value={state} onChange={(e) => setState(e.target.value as typeof state)}>
          <option value="open">open</option>
          <option value="resolved">resolved</option>
          <option value="">all</option>
        </select>
        <select value={detector} onChange={(e) => setDetector(e.target.value)}>
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

function AlertRow({ alert: a, now, onChange }: { alert: Alert; now: number; onChange: () => void }) {
  const [evidence, setEvidence] = useState<AwEvent | null>(null);
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
