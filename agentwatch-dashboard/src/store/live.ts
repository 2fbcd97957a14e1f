import { createStore } from 'zustand/vanilla';
import { emptyCounters, isError, num, type AgentState, type AwEvent, type RunState } from '../types';

/**
 * What the dashboard knows live: the last `capacity` events (older ones evicted), agents and runs
 * keyed by id with the events applied on top of their REST snapshot, and aggregates (rates,
 * totals per type) that survive eviction. Events are deduplicated by id, so a redelivered event
 * (after a reconnect or a gap) never shows or counts twice. `lastCursor` is where to resume.
 */
export interface LiveState {
  capacity: number;
  events: AwEvent[];
  lastCursor: string | null;
  agents: Record<string, AgentState>;
  runs: Record<string, RunState>;
  /** Events applied since sign-in (or the last reset); evicted ones included. */
  applied: number;
  duplicates: number;
  evicted: number;
  typeCounts: Record<string, number>;
  /** Events per second, keyed by epoch second (last RATE_SECONDS seconds). */
  perSecond: Record<number, number>;
  /** Errors per minute, keyed by epoch minute (last ERROR_MINUTES minutes). */
  errorsPerMinute: Record<number, number>;
  /** Which REST snapshot of agents is loaded, if any. */
  agentsLoaded: boolean;
  runsLoaded: boolean;

  applyBatch(batch: AwEvent[]): void;
  loadAgents(agents: AgentState[]): void;
  loadRuns(runs: RunState[]): void;
  /**
   * Takes the task counts of these runs from the server. Task states follow the server's transition
   * rules (reassignment, restarts, illegal moves), so the page does not fold them itself.
   */
  mergeRunTasks(runs: RunState[]): void;
  /** After a `reset`: the store behind the server changed; forget everything, resume from `head`. */
  reset(head: string | null): void;
}

export const RATE_SECONDS = 120;
export const ERROR_MINUTES = 60;

export interface LiveOptions {
  capacity?: number;
  /** How many ids are remembered for dedupe; at least `capacity`. */
  dedupeWindow?: number;
  now?: () => number;
}

export function createLiveStore(options: LiveOptions = {}) {
  const capacity = options.capacity ?? 5000;
  const dedupeWindow = Math.max(capacity, options.dedupeWindow ?? capacity * 4);
  const now = options.now ?? Date.now;
  // Insertion-ordered, so the oldest ids leave first. Outside React state: it never renders.
  let seen = new Set<string>();

  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > dedupeWindow) {
      const drop = seen.size - dedupeWindow;
      let i = 0;
      for (const old of seen) {
        if (i++ >= drop) break;
        seen.delete(old);
      }
    }
  };

  return createStore<LiveState>()((set, get) => ({
    capacity,
    events: [],
    lastCursor: null,
    agents: {},
    runs: {},
    applied: 0,
    duplicates: 0,
    evicted: 0,
    typeCounts: {},
    perSecond: {},
    errorsPerMinute: {},
    agentsLoaded: false,
    runsLoaded: false,

    applyBatch(batch) {
      if (batch.length === 0) return;
      const s = get();
      const fresh: AwEvent[] = [];
      let duplicates = 0;
      let lastCursor = s.lastCursor;
      for (const e of batch) {
        // The cursor advances even for a duplicate: it was delivered, resuming before it would repeat it.
        if (e.cursor) lastCursor = e.cursor;
        if (seen.has(e.id)) {
          duplicates++;
          continue;
        }
        remember(e.id);
        fresh.push(e);
      }
      if (fresh.length === 0) {
        set({ duplicates: s.duplicates + duplicates, lastCursor });
        return;
      }
      const agents = { ...s.agents };
      const runs = { ...s.runs };
      const typeCounts = { ...s.typeCounts };
      const perSecond = { ...s.perSecond };
      const errorsPerMinute = { ...s.errorsPerMinute };
      const nowMs = now();
      for (const e of fresh) {
        applyToAgents(agents, e);
        applyToRun(runs, e);
        typeCounts[e.type] = (typeCounts[e.type] ?? 0) + 1;
        const at = arrival(e, nowMs);
        const sec = Math.floor(at / 1000);
        perSecond[sec] = (perSecond[sec] ?? 0) + 1;
        if (isError(e)) {
          const min = Math.floor(at / 60000);
          errorsPerMinute[min] = (errorsPerMinute[min] ?? 0) + 1;
        }
      }
      prune(perSecond, Math.floor(nowMs / 1000) - RATE_SECONDS);
      prune(errorsPerMinute, Math.floor(nowMs / 60000) - ERROR_MINUTES);
      let events = s.events.concat(fresh);
      let evicted = s.evicted;
      if (events.length > capacity) {
        evicted += events.length - capacity;
        events = events.slice(events.length - capacity);
      }
      set({
        events, agents, runs, typeCounts, perSecond, errorsPerMinute, lastCursor, evicted,
        applied: s.applied + fresh.length,
        duplicates: s.duplicates + duplicates,
      });
    },

    loadAgents(list) {
      const agents: Record<string, AgentState> = {};
      for (const a of list) agents[a.agentId] = { ...a, counters: { ...emptyCounters(), ...a.counters } };
      set({ agents, agentsLoaded: true });
    },

    loadRuns(list) {
      const runs: Record<string, RunState> = {};
      for (const r of list) runs[r.runId] = r;
      set({ runs, runsLoaded: true });
    },

    mergeRunTasks(list) {
      const runs = { ...get().runs };
      for (const r of list) {
        const mine = runs[r.runId];
        if (mine) runs[r.runId] = { ...mine, tasks: r.tasks };
      }
      set({ runs });
    },

    reset(head) {
      seen = new Set();
      set({
        events: [], lastCursor: head, agents: {}, runs: {}, applied: 0, duplicates: 0, evicted: 0,
        typeCounts: {}, perSecond: {}, errorsPerMinute: {}, agentsLoaded: false, runsLoaded: false,
      });
    },
  }));
}

export type LiveStore = ReturnType<typeof createLiveStore>;

/** When the server received the event (its own clock), else now: rates follow the log, not the page. */
function arrival(e: AwEvent, nowMs: number): number {
  const t = e.receivedAt ? Date.parse(e.receivedAt) : NaN;
  return Number.isFinite(t) ? Math.min(t, nowMs) : nowMs;
}

function prune(buckets: Record<number, number>, oldest: number) {
  for (const k of Object.keys(buckets)) if (Number(k) < oldest) delete buckets[Number(k)];
}

const later = (a: string | null | undefined, b: string) => (!a || Date.parse(b) >= Date.parse(a) ? b : a);

function touch(agents: Record<string, AgentState>, id: string, ts: string | null): AgentState {
  const old = agents[id];
  const a: AgentState = old
    ? { ...old, counters: { ...old.counters } }
    : { agentId: id, counters: emptyCounters(), status: null, firstSeen: ts };
  if (ts) a.lastSeen = later(a.lastSeen, ts);
  agents[id] = a;
  return a;
}

/** The same folding the server's projection does (core's Projection), for the fields shown live. */
/** Events that end a run, with the run's outcome. */
const RUN_ENDS: Record<string, string> = { 'run.completed': 'completed', 'run.failed': 'failed', 'run.cancelled': 'cancelled' };
/** Event types the server writes about agents or for its own configuration, never an agent's activity. */
const SERVER_TYPES = ['alert.', 'policy.', 'budget.'];

export function applyToAgents(agents: Record<string, AgentState>, e: AwEvent) {
  if (e.type in RUN_ENDS || e.type.endsWith('.edited') || SERVER_TYPES.some((p) => e.type.startsWith(p))) return;
  const a = touch(agents, e.agentId, e.ts);
  const c = a.counters;
  const d = e.data ?? {};
  c.events++;
  if (a.status === 'offline' && e.type !== 'agent.status' && e.type !== 'command.issued'
    && (!a.statusAt || Date.parse(e.ts) > Date.parse(a.statusAt))) {
    // Agent ids are reused across runs: one that signed off and does anything later is back (as the server's projection says).
    a.status = 'idle';
    a.statusAt = e.ts;
  }
  if (e.runId) a.lastRunId = e.runId;
  switch (e.type) {
    case 'agent.registered':
      a.role = (d.role as string) ?? null;
      a.name = (d.name as string) ?? null;
      if (Array.isArray(d.capabilities)) a.capabilities = d.capabilities as string[];
      break;
    case 'agent.heartbeat':
      if (!a.lastHeartbeat || Date.parse(e.ts) >= Date.parse(a.lastHeartbeat)) {
        a.lastHeartbeat = e.ts;
        a.heartbeat = { cpu: d.cpu as number, memoryMb: d.memoryMb as number, queueDepth: d.queueDepth as number };
      }
      break;
    case 'agent.status':
      if (!a.statusAt || Date.parse(e.ts) >= Date.parse(a.statusAt)) {
        a.status = d.status as string;
        a.statusAt = e.ts;
      }
      break;
    case 'task.assigned':
      if (typeof d.assignee === 'string') touch(agents, d.assignee, null).counters.tasksAssigned++;
      break;
    case 'task.started':
      c.tasksStarted++;
      a.currentTaskId = d.taskId as string;
      a.currentRunId = e.runId ?? null;
      break;
    case 'task.completed':
    case 'task.failed':
      if (e.type === 'task.completed') c.tasksCompleted++;
      else {
        c.tasksFailed++;
        c.errors++;
      }
      if (a.currentTaskId === d.taskId && (a.currentRunId ?? null) === (e.runId ?? null)) {
        a.currentTaskId = null;
        a.currentRunId = null;
      }
      break;
    case 'message.sent':
      c.messagesSent++;
      if (typeof d.to === 'string' && d.to !== e.agentId) touch(agents, d.to, null).counters.messagesReceived++;
      break;
    case 'tool.called':
      c.toolCalls++;
      break;
    case 'tool.result':
      if (d.error != null && d.error !== '') c.errors++;
      break;
    case 'llm.call':
      c.llmCalls++;
      c.inputTokens += num(d.inputTokens);
      c.outputTokens += num(d.outputTokens);
      c.costUsd += num(d.costUsd);
      break;
    case 'error.occurred':
      c.errors++;
      break;
  }
}

/** Keeps the runs in progress fresh between REST refreshes: last event, participants, outcome. */
export function applyToRun(runs: Record<string, RunState>, e: AwEvent) {
  if (!e.runId) return;
  const old = runs[e.runId];
  const r: RunState = old
    ? { ...old, participants: { ...old.participants }, totals: { ...old.totals } }
    : {
      runId: e.runId, participants: {}, startedAt: e.ts, lastEventAt: e.ts, status: 'running',
      tasks: { total: 0, created: 0, assigned: 0, running: 0, completed: 0, failed: 0 },
      totals: { events: 0, errors: 0, messages: 0, toolCalls: 0, llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
  r.lastEventAt = later(r.lastEventAt, e.ts);
  r.totals.events++;
  if (e.type in RUN_ENDS) {
    r.status = RUN_ENDS[e.type];
    r.endedAt = e.ts;
  } else if (!(e.agentId in r.participants)) {
    r.participants[e.agentId] = null;
  }
  if (e.type === 'llm.call') {
    r.totals.inputTokens += num(e.data?.inputTokens);
    r.totals.outputTokens += num(e.data?.outputTokens);
    r.totals.costUsd += num(e.data?.costUsd);
  }
  runs[e.runId] = r;
}
