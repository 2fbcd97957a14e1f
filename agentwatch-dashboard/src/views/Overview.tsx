import { memo, useEffect, useMemo } from 'react';
import { api, serverClockOffset } from '../api';
import { Sparkline } from '../components/charts';
import { Empty, ago, duration, href, int, money, time, useFetch, useNow, when } from '../components/util';
import { live, useConnection, useLive } from '../session';
import { useThrottledState } from '../store/throttle';
import type { AgentState, RunState } from '../types';

const STALE_MS = 10_000;
/**
 * How often at most the overview follows the store. Its rates, cards and runs are read by people,
 * so four times a second looks live, while following every batch (each frame under load) would
 * sort and draw everything again each frame.
 */
const REFRESH_MS = 250;

export function Overview() {
  const { agents, runs, agentsLoaded: loaded, perSecond, errorsPerMinute } = useThrottledState(live, REFRESH_MS);
  const lastError = useConnection((s) => s.lastError);
  const now = useNow(1000);

  const sec = Math.floor(now / 1000) - 1; // the current second is still filling
  const rate = Array.from({ length: 60 }, (_, i) => perSecond[sec - 59 + i] ?? 0);
  const errs = useErrorsPerMinute(errorsPerMinute, now);
  const errTotal = errs.reduce((a, b) => a + b, 0);
  const list = useMemo(() => Object.values(agents)
    .sort((a, b) => roleRank(a) - roleRank(b) || a.agentId.localeCompare(b.agentId)), [agents]);
  const running = useMemo(() => Object.values(runs).filter((r) => r.status === 'running')
    .sort((a, b) => Date.parse(b.lastEventAt ?? '') - Date.parse(a.lastEventAt ?? '')), [runs]);

  return (
    <div className="overview">
      <section className="rates">
        <div className="rate">
          <div className="label">events / s <span className="muted">(last 60 s)</span></div>
          <div className="big">{rate[rate.length - 1]}</div>
          <Sparkline values={rate} label="events per second" />
        </div>
        <div className="rate">
          <div className="label">errors <span className="muted">(last 30 min)</span></div>
          <div className={errTotal ? 'big bad' : 'big'} data-testid="errors-30m">{int(errTotal)}</div>
          <Sparkline values={errs} color="#ff7a7a" label="errors per minute" />
        </div>
        <div className="rate">
          <div className="label">since sign-in</div>
          <Applied />
          <div className="muted small">events received live</div>
        </div>
      </section>

      <h2>Agents <span className="muted">{list.length}</span></h2>
      {!loaded ? (
        <Empty>{lastError ? `Loading agents failed: ${lastError}. Check the server and your key.` : 'Loading agents…'}</Empty>
      ) : list.length === 0 ? (
        <Empty>No agent has sent events yet. Point an agent at <code>POST /api/v1/events</code> or the WebSocket, or start the server with <code>--agentwatch.demo=true</code>.</Empty>
      ) : (
        <div className="cards">{list.map((a) => <AgentCard key={a.agentId} agent={a} now={now} />)}</div>
      )}

      <h2>Runs in progress <span className="muted">{running.length}</span></h2>
      {running.length === 0 ? (
        <Empty>No run is in progress. Runs appear when events carry a <code>runId</code>.</Empty>
      ) : (
        <div className="table-scroll"><table className="grid-table">
          <thead><tr><th>run</th><th>started</th><th>last event</th><th>participants</th><th>tasks</th><th>events</th><th>tokens</th><th>cost</th></tr></thead>
          <tbody>
            {running.map((r) => <RunRow key={r.runId} run={r} now={now} />)}
          </tbody>
        </table></div>
      )}

      <h2>Recently finished <a className="small" href={href('/runs')}>all runs →</a></h2>
      <RecentlyFinished now={now} />
    </div>
  );
}

const METRICS_REFRESH_MS = 10_000;

/**
 * Errors per minute over the last 30 minutes, from the server's rollups (`GET /api/v1/metrics`),
 * so the chart shows what happened before sign-in too; asked again every 10 s, and soon after
 * errors stream in.
 */
function useErrorsPerMinute(live: Record<number, number>, now: number): number[] {
  const liveErrors = Object.values(live).reduce((a, b) => a + b, 0);
  const since = Math.floor(now / 60_000) * 60_000 - 29 * 60_000;
  const metrics = useFetch('overview-errors', () =>
    api.metrics({ bucket: '1m', from: new Date(since + (serverClockOffset() ?? 0)).toISOString() }));
  const { reload } = metrics;
  const tick = Math.floor(now / METRICS_REFRESH_MS);
  useEffect(() => { reload(); }, [tick, reload]);
  useEffect(() => {
    if (liveErrors === 0) return;
    const t = setTimeout(reload, 1000);
    return () => clearTimeout(t);
  }, [liveErrors, reload]);
  const byMinute = new Map<number, number>();
  for (const p of metrics.data?.points ?? []) byMinute.set(Math.floor(Date.parse(p.start) / 60_000), p.errors);
  const lastMinute = Math.floor((now + (serverClockOffset() ?? 0)) / 60_000);
  return Array.from({ length: 30 }, (_, i) => byMinute.get(lastMinute - 29 + i) ?? 0);
}

/** The last runs that ended, one click from their run view, so a finished run never vanishes. */
function RecentlyFinished({ now }: { now: number }) {
  const finishedLive = useLive((s) => Object.values(s.runs).filter((r) => r.status !== 'running').length);
  const recent = useFetch('recently-finished', () => api.runsPage({ status: 'completed', limit: 5 }));
  const failed = useFetch('recently-failed', () => api.runsPage({ status: 'failed', limit: 5 }));
  const { reload: reloadRecent } = recent;
  const { reload: reloadFailed } = failed;
  useEffect(() => { reloadRecent(); reloadFailed(); }, [finishedLive, reloadRecent, reloadFailed]);
  const runs = [...(recent.data?.runs ?? []), ...(failed.data?.runs ?? [])]
    .sort((a, b) => Date.parse(b.endedAt ?? b.lastEventAt ?? '') - Date.parse(a.endedAt ?? a.lastEventAt ?? ''))
    .slice(0, 5);
  if (runs.length === 0) return <Empty>No run has finished yet.</Empty>;
  return (
    <div className="table-scroll">
      <table className="grid-table" data-testid="recent-runs">
        <thead><tr><th>run</th><th>state</th><th>ended</th><th>took</th><th>tasks</th><th>events</th><th>cost</th></tr></thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.runId} className={r.status === 'failed' ? 'bad' : ''}>
              <td><a href={href(`/run/${encodeURIComponent(r.runId)}`)}>{r.title ?? r.runId}</a></td>
              <td><span className={`status s-${r.status}`}>{r.status}</span></td>
              <td>{when(r.endedAt, now)}</td>
              <td>{r.startedAt && r.endedAt ? duration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '—'}</td>
              <td>{r.tasks.completed}/{r.tasks.total}{r.tasks.failed ? `, ${r.tasks.failed} failed` : ''}</td>
              <td>{int(r.totals.events)}</td>
              <td>{money(r.totals.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Events since sign-in: follows every batch, which is cheap, as only this number renders again. */
function Applied() {
  const applied = useLive((s) => s.applied);
  return <div className="big" data-testid="applied">{int(applied)}</div>;
}

function roleRank(a: AgentState) {
  return a.role === 'manager' ? 0 : 1;
}

/**
 * One agent. Memoised: the store keeps an agent's object while no event touches it, so under load
 * only the cards of agents that sent something (or, once a second, the clock) render again.
 */
const AgentCard = memo(function AgentCard({ agent: a, now }: { agent: AgentState; now: number }) {
  const beat = a.lastHeartbeat ?? null;
  const stale = !beat || now - Date.parse(beat) > STALE_MS;
  const c = a.counters;
  return (
    <a className={`card ${stale ? 'stale' : ''}`} href={href(`/agent/${encodeURIComponent(a.agentId)}`)}>
      <div className="card-head">
        <span className="name">{a.displayName ?? a.name ?? a.agentId}</span>
        <span className={`status s-${a.status ?? 'unknown'}`}>{a.status ?? 'unknown'}</span>
      </div>
      <div className="muted small">{a.role ?? 'no role'}{(a.displayName ?? a.name) ? ` · ${a.agentId}` : ''}</div>
      <div className="kv"><span>task</span><span>{a.currentTaskId ?? '—'}</span></div>
      <div className="kv"><span>heartbeat</span><span className={stale ? 'warn' : ''}>{ago(beat, now)}{stale && beat ? ' (stale)' : ''}</span></div>
      <div className="counters">
        <span title="events">{int(c.events)} ev</span>
        <span title="tasks completed / failed">{c.tasksCompleted}✓ {c.tasksFailed ? <b className="bad">{c.tasksFailed}✗</b> : '0✗'}</span>
        <span title="tool calls">{c.toolCalls} tools</span>
        <span title="model calls">{c.llmCalls} llm</span>
        <span title="errors" className={c.errors ? 'bad' : ''}>{c.errors} err</span>
        <span title="cost">{money(c.costUsd)}</span>
      </div>
    </a>
  );
});

/** One run in progress. Memoised like the cards: the store keeps a run's object while no event touches it. */
const RunRow = memo(function RunRow({ run: r, now }: { run: RunState; now: number }) {
  return (
    <tr>
      <td><a href={href(`/run/${encodeURIComponent(r.runId)}`)}>{r.title ?? r.runId}</a></td>
      <td>{time(r.startedAt)}</td>
      <td>{ago(r.lastEventAt, now)}</td>
      <td>{Object.keys(r.participants).join(', ')}</td>
      <td>{r.tasks.completed}/{r.tasks.total} done{r.tasks.failed ? `, ${r.tasks.failed} failed` : ''}{r.tasks.abandoned ? `, ${r.tasks.abandoned} abandoned` : ''}</td>
      <td>{int(r.totals.events)}</td>
      <td>{int(r.totals.inputTokens + r.totals.outputTokens)}</td>
      <td>{money(r.totals.costUsd)}</td>
    </tr>
  );
});
