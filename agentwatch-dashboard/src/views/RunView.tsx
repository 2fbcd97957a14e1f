import { useEffect, useMemo, useRef } from 'react';
import { api } from '../api';
import { Empty, Loading, Problem, href, int, money, time, useFetch, useNow } from '../components/util';
import { useLive } from '../session';
import type { AwEvent, RunState, TaskState } from '../types';
import { GraphView } from './GraphView';
import { RollupCharts } from './RollupCharts';

const STATE_COLOR: Record<string, string> = {
  created: '#6b7785', assigned: '#b59a3c', running: '#3d8bfd', completed: '#3fae63', failed: '#e05252',
  abandoned: '#4a5360',
};

/** What a task's state means, for the legend and the bars' tooltips. */
const STATE_NOTE: Record<string, string> = {
  abandoned: 'still open when the run ended; nobody works on it or waits for it',
};

const RUN_ENDS = ['run.completed', 'run.failed', 'run.cancelled'];

/**
 * Alerts and policy matches about the run are events in it too; they belong to the Alerts view, not
 * to an agent's lane. Commands are kept: they are drawn on the lane of the agent they were for.
 */
const isAgentActivity = (e: AwEvent) => !e.type.startsWith('alert.') && !e.type.startsWith('policy.')
  && !e.type.startsWith('budget.');

// Plain glyphs every system font has (emoji are missing in many, headless Chromium's among them).
const ACTION_MARK: Record<string, string> = { pause: '‖', quarantine: '⊘', cancel: '×', resume: '▶' };

/** Who issued a command: a policy's commands are automatic actions. */
export const isAutomatic = (e: AwEvent) => e.type === 'command.issued' && String(e.data?.issuedBy ?? '').startsWith('policy:');

/** Stored events of the run, plus those that arrived live since, each once. */
function useRunEvents(runId: string, stored: AwEvent[] | null): AwEvent[] {
  const events = useLive((s) => s.events);
  return useMemo(() => {
    const byId = new Map<string, AwEvent>();
    for (const e of stored ?? []) if (isAgentActivity(e)) byId.set(e.id, e);
    for (const e of events) if (e.runId === runId && isAgentActivity(e) && !byId.has(e.id)) byId.set(e.id, e);
    return [...byId.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  }, [runId, stored, events]);
}

export function RunView({ runId }: { runId: string }) {
  const data = useFetch(`run:${runId}`, async () => {
    const [run, tasks, events] = await Promise.all([api.run(runId), api.tasks(runId), api.events({ runId })]);
    return { run, tasks: tasks.tasks, events };
  });
  const events = useRunEvents(runId, data.data?.events ?? null);
  const liveCount = useLive((s) => s.runs[runId]?.totals.events ?? 0);
  const now = useNow(1000);
  // Tasks and totals come from the server's projection: reload them (at most every 2 s) while the run moves.
  const seen = useRef({ at: 0, count: liveCount });
  const { reload } = data;
  const tick = Math.floor(now / 2000);
  useEffect(() => {
    const s = seen.current;
    if (!data.data || s.count === liveCount || Date.now() - s.at < 2000) return;
    seen.current = { at: Date.now(), count: liveCount };
    reload();
  }, [liveCount, tick, reload, data.data]);

  if (data.loading && !data.data) return <Loading what={`run ${runId}`} />;
  if (data.error && !data.data) {
    return <Problem error={data.error} retry={data.reload}
      hint={data.error.startsWith('404') ? 'This run has no events on this server. Pick a run from the Overview.' : undefined} />;
  }
  const { run, tasks } = data.data!;
  return (
    <div className="run-view">
      <RunHeader run={run} />
      <h2>Timeline</h2>
      <Timeline run={run} tasks={tasks} events={events} now={now} />
      <Legend />
      <h2>Causal graph</h2>
      <GraphView runId={runId} />
      <h2>Transcript</h2>
      <Transcript events={events} />
      <h2>Rollups <span className="muted">per minute, last hour</span></h2>
      <RollupCharts runId={runId} />
    </div>
  );
}

function RunHeader({ run }: { run: RunState }) {
  const t = run.totals;
  return (
    <div className="run-head">
      <h1>{run.title ?? run.runId} <span className={`status s-${run.status}`}>{run.status}</span></h1>
      <div className="stats">
        <span>started {time(run.startedAt)}</span>
        {run.endedAt && <span>ended {time(run.endedAt)}</span>}
        <span>{run.tasks.completed}/{run.tasks.total} tasks done{run.tasks.failed ? `, ${run.tasks.failed} failed` : ''}</span>
        {(run.tasks.abandoned ?? 0) > 0 && (
          <span className="muted" data-testid="abandoned" title={STATE_NOTE.abandoned}>
            {run.tasks.abandoned} abandoned when the run {run.status === 'cancelled' ? 'was cancelled' : run.status}
          </span>
        )}
        <span>{int(t.events)} events</span>
        <span>{int(t.messages)} messages</span>
        <span>{int(t.llmCalls)} model calls</span>
        <span>{int(t.inputTokens)} in + {int(t.outputTokens)} out tokens</span>
        <span className="cost">{money(t.costUsd)}</span>
        {t.errors > 0 && <span className="bad">{t.errors} errors</span>}
      </div>
    </div>
  );
}

function Legend() {
  return (
    <div className="legend small">
      {Object.entries(STATE_COLOR).map(([s, c]) => <span key={s} title={STATE_NOTE[s]}><i style={{ background: c }} className={s} />{s}</span>)}
      <span><i className="arrow-key" />message</span>
      <span title="a command a policy issued the moment its alert was raised"><b className="mark auto">‖</b> automatic action</span>
      <span><b className="mark manual">‖</b> command</span>
    </div>
  );
}

function Timeline({ run, tasks, events, now }: { run: RunState; tasks: TaskState[]; events: AwEvent[]; now: number }) {
  const lanes = useMemo(() => {
    const names: string[] = [];
    const add = (n?: string | null) => { if (n && !names.includes(n)) names.push(n); };
    Object.entries(run.participants).filter(([, r]) => r === 'manager').forEach(([n]) => add(n));
    Object.keys(run.participants).forEach(add);
    tasks.forEach((t) => add(t.assignee ?? t.createdBy));
    events.forEach((e) => { if (!RUN_ENDS.includes(e.type)) add(e.agentId); });
    return names;
  }, [run, tasks, events]);
  if (lanes.length === 0) return <Empty>This run has no agent events yet.</Empty>;

  const ms = (s?: string | null) => (s ? Date.parse(s) : NaN);
  const starts = [ms(run.startedAt), ...events.map((e) => ms(e.ts))].filter(Number.isFinite);
  const t0 = Math.min(...starts);
  const t1 = Math.max(t0 + 1000, run.status === 'running' ? now : ms(run.endedAt ?? run.lastEventAt),
    ...events.map((e) => ms(e.ts)).filter(Number.isFinite));
  const W = 1200, L = 130, R = 12, laneH = 40, top = 22;
  const H = top + lanes.length * laneH + 8;
  const x = (t: number) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const laneY = (name: string) => top + lanes.indexOf(name) * laneH + laneH / 2;
  const ticks = Array.from({ length: 6 }, (_, i) => t0 + ((t1 - t0) * i) / 5);
  const messages = events.filter((e) => e.type === 'message.sent' && typeof e.data?.to === 'string' && lanes.includes(String(e.data.to)));
  const actions = events.filter((e) => e.type === 'command.issued' && lanes.includes(e.agentId));

  return (
    <div className="timeline">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="run timeline">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#d7b4ff" />
          </marker>
        </defs>
        {ticks.map((t, i) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={top - 4} y2={H - 8} className="grid" />
            {/* The first and last labels are anchored inward, so neither is cut at the edge. */}
            <text x={x(t)} y={12} textAnchor={tickAnchor(i, ticks.length)} className="axis" data-testid="tick">
              {new Date(t).toLocaleTimeString([], { hour12: false })}
            </text>
          </g>
        ))}
        {lanes.map((name, i) => (
          <g key={name}>
            <rect x={0} y={top + i * laneH} width={W} height={laneH} className={i % 2 ? 'lane odd' : 'lane'} />
            <text x={8} y={laneY(name) + 4} className="lane-label">{name.length > 16 ? name.slice(0, 15) + '…' : name}</text>
          </g>
        ))}
        {tasks.map((t) => {
          const lane = t.assignee ?? t.createdBy;
          if (!lane || !lanes.includes(lane)) return null;
          const from = ms(t.startedAt ?? t.assignedAt ?? t.createdAt);
          const to = Number.isFinite(ms(t.endedAt)) ? ms(t.endedAt) : (run.status === 'running' ? now : t1);
          if (!Number.isFinite(from)) return null;
          const x0 = x(from), x1 = Math.max(x0 + 3, x(to));
          const y = laneY(lane) - 9;
          return (
            <g key={t.taskId}>
              <rect x={x0} y={y} width={x1 - x0} height={18} rx={3} fill={STATE_COLOR[t.state] ?? '#888'} opacity={0.85}
                className={`task ${t.state}`}>
                <title>{`${t.taskId} ${t.title ?? ''}\n${t.state}${STATE_NOTE[t.state] ? ` (${STATE_NOTE[t.state]})` : ''}${t.durationMs != null ? `, ${t.durationMs} ms` : ''}${t.error ? `\n${t.error}` : ''}`}</title>
              </rect>
              {x1 - x0 > 50 && (
                <text x={x0 + 4} y={y + 13} className="bar-label">
                  {(t.title ?? t.taskId).slice(0, Math.floor((x1 - x0 - 8) / 6.5))}
                </text>
              )}
            </g>
          );
        })}
        {messages.map((e) => {
          const xs = x(ms(e.ts));
          const y0 = laneY(e.agentId), y1 = laneY(String(e.data.to));
          if (y0 === y1) return null;
          return (
            <line key={e.id} x1={xs} x2={xs + 6} y1={y0} y2={y1 + (y1 > y0 ? -10 : 10)} className="msg" markerEnd="url(#arrow)">
              <title>{`${e.agentId} → ${e.data.to}: ${String(e.data.content ?? '')}`}</title>
            </line>
          );
        })}
        {actions.map((e) => {
          const type = String(e.data?.type ?? '');
          const auto = isAutomatic(e);
          const xs = x(ms(e.ts)), y = laneY(e.agentId) - laneH / 2 + 2;
          return (
            <g key={e.id} className={`action ${auto ? 'auto-action' : 'manual-action'}`} data-testid="timeline-action">
              <line x1={xs} x2={xs} y1={y} y2={y + laneH - 4} className="action-line" />
              <text x={xs + 3} y={y + 10} className="action-mark">{ACTION_MARK[type] ?? '•'} {type}</text>
              <title>{`${type} ${e.agentId}${auto ? ` — automatic, by ${String(e.data.issuedBy)}` : ` — by ${String(e.data?.issuedBy ?? 'an operator')}`}\n${String(e.data?.reason ?? '')}`}</title>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** How a time label sits on its tick: the last one ends there, the others are centred. */
export function tickAnchor(i: number, count: number): 'start' | 'middle' | 'end' {
  return i === count - 1 ? 'end' : 'middle';
}

function Transcript({ events }: { events: AwEvent[] }) {
  const msgs = events.filter((e) => e.type === 'message.sent');
  if (msgs.length === 0) return <Empty>No messages between agents in this run yet.</Empty>;
  return (
    <ol className="transcript">
      {msgs.map((e) => (
        <li key={e.id}>
          <span className="c-time">{time(e.ts)}</span>
          <a href={href(`/agent/${encodeURIComponent(e.agentId)}`)}>{e.agentId}</a>
          <span className="muted"> → </span>
          <a href={href(`/agent/${encodeURIComponent(String(e.data.to))}`)}>{String(e.data.to)}</a>
          <div className="content">{String(e.data.content ?? '')}</div>
        </li>
      ))}
    </ol>
  );
}
