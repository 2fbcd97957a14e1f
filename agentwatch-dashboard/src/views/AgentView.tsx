import { useMemo } from 'react';
import { api } from '../api';
import { LineChart, type Point } from '../components/charts';
import { Empty, Loading, Problem, ago, href, int, money, time, useFetch, useNow } from '../components/util';
import { useCommands, useLive } from '../session';
import { optimisticStatus } from '../store/commands';
import { isError, num, type AwEvent } from '../types';
import { CommandPanel } from './CommandPanel';
import { RollupCharts } from './RollupCharts';
import { summary } from './LiveEvents';

const WINDOW_MIN = 15;

export function AgentView({ agentId }: { agentId: string }) {
  const stored = useFetch(`agent:${agentId}`, () =>
    api.events({ agentId, from: new Date(Date.now() - WINDOW_MIN * 60_000).toISOString() }, 5));
  const snapshot = useFetch(`agent-state:${agentId}`, () => api.agent(agentId));
  const liveAgent = useLive((s) => s.agents[agentId]);
  const liveEvents = useLive((s) => s.events);
  const pendingStatus = useCommands((s) => optimisticStatus(s.sent, agentId));
  const now = useNow(1000);

  const events = useMemo(() => {
    const byId = new Map<string, AwEvent>();
    for (const e of stored.data ?? []) byId.set(e.id, e);
    for (const e of liveEvents) if (e.agentId === agentId && !byId.has(e.id)) byId.set(e.id, e);
    return [...byId.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  }, [stored.data, liveEvents, agentId]);

  const agent = liveAgent ?? snapshot.data;
  if ((stored.loading || snapshot.loading) && !agent) return <Loading what={`agent ${agentId}`} />;
  if (!agent) {
    const err = snapshot.error ?? stored.error ?? 'unknown agent';
    return <Problem error={err} retry={() => { snapshot.reload(); stored.reload(); }}
      hint={err.startsWith('404') ? 'No agent with this id has sent events. Pick one on the Overview.' : undefined} />;
  }

  const beats = events.filter((e) => e.type === 'agent.heartbeat');
  const series = (k: string): Point[] => beats.filter((e) => typeof e.data[k] === 'number')
    .map((e) => ({ t: Date.parse(e.ts), v: num(e.data[k]) }));
  const calls = events.filter((e) => e.type === 'tool.result' || e.type === 'llm.call').slice(-100).reverse();
  const errors = events.filter(isError).slice(-20).reverse();
  const c = agent.counters;
  const stale = !agent.lastHeartbeat || now - Date.parse(agent.lastHeartbeat) > 10_000;

  return (
    <div className="agent-view">
      <div className="run-head">
        <h1>{agent.displayName ?? agent.name ?? agent.agentId}{' '}
          {pendingStatus ? <span className={`status s-${pendingStatus} optimistic`} data-testid="agent-status" title="sent; waiting for the agent's answer">{pendingStatus}…</span>
            : <span className={`status s-${agent.status ?? 'unknown'}`} data-testid="agent-status">{agent.status ?? 'unknown'}</span>}
        </h1>
        <div className="stats">
          <span>{agent.role ?? 'no role'}</span>
          <span className={stale ? 'warn' : ''}>heartbeat {ago(agent.lastHeartbeat, now)}</span>
          <span>task {agent.currentTaskId ?? '—'}</span>
          {agent.lastRunId && <span>run <a href={href(`/run/${encodeURIComponent(agent.lastRunId)}`)}>{agent.lastRunId}</a></span>}
          <span>{int(c.toolCalls)} tool calls</span>
          <span>{int(c.llmCalls)} model calls</span>
          <span>{int(c.inputTokens)} in + {int(c.outputTokens)} out tokens</span>
          <span className="cost">{money(c.costUsd)}</span>
          <span className={c.errors ? 'bad' : ''}>{c.errors} errors</span>
        </div>
      </div>
      {stored.error && <Problem error={stored.error} retry={stored.reload} />}
      <CommandPanel agentId={agent.agentId} currentTaskId={agent.currentTaskId} />
      <h2>Heartbeats <span className="muted">last {WINDOW_MIN} min</span></h2>
      <div className="charts">
        <LineChart points={series('cpu')} title="CPU" unit="%" />
        <LineChart points={series('memoryMb')} title="Memory" unit="MB" color="#7bd88f" />
        <LineChart points={series('queueDepth')} title="Queue depth" unit="" color="#d7b4ff" />
      </div>
      <h2>Rollups <span className="muted">per minute, last hour</span></h2>
      <RollupCharts agentId={agent.agentId} />
      <div className="two-col">
        <section>
          <h2>Tool and model calls</h2>
          {calls.length === 0 ? <Empty>No tool results or model calls in the last {WINDOW_MIN} minutes.</Empty> : (
            <table className="grid-table">
              <thead><tr><th>time</th><th>call</th><th>duration</th><th>tokens</th><th>cost</th></tr></thead>
              <tbody>
                {calls.map((e) => (
                  <tr key={e.id} className={isError(e) ? 'bad' : ''}>
                    <td>{time(e.ts)}</td>
                    <td>{e.type === 'llm.call' ? `model ${e.data.model}` : `tool ${e.data.tool}`}{e.data.error ? ` — ${e.data.error}` : ''}</td>
                    <td>{e.type === 'llm.call' ? fmtMs(e.data.latencyMs) : fmtMs(e.data.durationMs)}</td>
                    <td>{e.type === 'llm.call' ? `${int(num(e.data.inputTokens))} / ${int(num(e.data.outputTokens))}` : ''}</td>
                    <td>{e.type === 'llm.call' && e.data.costUsd != null ? money(num(e.data.costUsd)) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section>
          <h2>Recent errors</h2>
          {errors.length === 0 ? <Empty>No errors in the last {WINDOW_MIN} minutes. Good.</Empty> : (
            <ul className="errors">
              {errors.map((e) => <li key={e.id}><span className="c-time">{time(e.ts)}</span> <b>{e.type}</b> {summary(e)}</li>)}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

function fmtMs(v: unknown) {
  return typeof v === 'number' ? `${v} ms` : '';
}
