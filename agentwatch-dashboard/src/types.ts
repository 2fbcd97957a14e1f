/** Shapes of the server's public protocol (shared/API.md); only the fields the dashboard reads. */

export interface AwEvent {
  id: string;
  type: string;
  agentId: string;
  runId?: string | null;
  ts: string;
  parentId?: string | null;
  target?: string | null;
  data: Record<string, unknown>;
  cursor?: string;
  receivedAt?: string;
  tenant?: string;
}

export interface Counters {
  events: number;
  tasksAssigned: number;
  tasksStarted: number;
  tasksCompleted: number;
  tasksFailed: number;
  errors: number;
  messagesSent: number;
  messagesReceived: number;
  toolCalls: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface AgentState {
  agentId: string;
  role?: string | null;
  name?: string | null;
  displayName?: string | null;
  capabilities?: string[];
  status?: string | null;
  statusAt?: string | null;
  firstSeen?: string | null;
  lastSeen?: string | null;
  lastHeartbeat?: string | null;
  heartbeat?: { cpu?: number | null; memoryMb?: number | null; queueDepth?: number | null } | null;
  currentRunId?: string | null;
  currentTaskId?: string | null;
  lastRunId?: string | null;
  counters: Counters;
  flags?: string[];
}

export interface RunState {
  runId: string;
  title?: string | null;
  participants: Record<string, string | null>;
  startedAt?: string | null;
  lastEventAt?: string | null;
  endedAt?: string | null;
  status: string;
  tasks: { total: number; created: number; assigned: number; running: number; completed: number; failed: number;
    /** Still open when the run ended. */
    abandoned?: number };
  totals: {
    events: number;
    errors: number;
    messages: number;
    toolCalls: number;
    llmCalls: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
  };
}

export interface TaskState {
  runId: string;
  taskId: string;
  title?: string | null;
  state: string;
  assignee?: string | null;
  createdBy?: string | null;
  createdAt?: string | null;
  assignedAt?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
  durationMs?: number | null;
  percent?: number | null;
  error?: string | null;
  flags?: string[];
}

export function emptyCounters(): Counters {
  return {
    events: 0, tasksAssigned: 0, tasksStarted: 0, tasksCompleted: 0, tasksFailed: 0, errors: 0,
    messagesSent: 0, messagesReceived: 0, toolCalls: 0, llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0,
  };
}

/** Whether an event reports something going wrong (counted in errors/min). */
export function isError(e: AwEvent): boolean {
  return e.type === 'error.occurred' || e.type === 'task.failed'
    || (e.type === 'tool.result' && e.data?.error != null && e.data.error !== '')
    || (e.type === 'log' && String(e.data?.level ?? '').toLowerCase() === 'error')
    || (e.type === 'agent.status' && e.data?.status === 'error');
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** `GET /api/v1/runs/{runId}/graph`: agents as nodes, interactions as edges, with JGraphT's metrics. */
export interface GraphNode {
  id: string; role: string | null; status: string | null;
  quarantined: boolean; offline: boolean; lost: boolean;
  events: number; inDegree: number; outDegree: number; betweenness: number | null; clustering: number;
}

export interface GraphEdge {
  from: string; to: string; kind: string; count: number; lastSeen: string | null;
  latencyMeanMs: number | null; strength: number;
}

export interface GraphReport {
  nodes: GraphNode[];
  edges: GraphEdge[];
  metrics: {
    nodes: number; edges: number; density: number; averageClustering: number;
    averagePathLength: number | null; isolatedNodes: string[]; cycleCount: number; cyclesTruncated: boolean;
  };
  cycles: string[][];
  /** The routing loops the detector raised and has not resolved: the only cycles shown as loops. */
  loops: { alertId: string; runId: string | null; cycle: string[]; since: string }[];
  asOf: string;
}

/** One finding inside an alert: an alert groups the findings of one detector in one run. */
export interface AlertItem {
  finding: string; detector: string; key: string; label: string; severity: string; state: 'open' | 'resolved';
  runId: string | null; agents: string[]; evidence: string[]; message: string;
  raisedAt: string; resolvedAt: string | null; resolution: string | null; facts?: Record<string, unknown>;
}

/** What a policy did about an alert: a command it issued, or a match it only recorded. */
export interface AlertAction {
  eventId: string; kind: 'command' | 'match'; policyId: string | null; agentId: string | null;
  type: string | null; outcome: string | null; finding: string | null; at: string;
}

export interface Alert {
  id: string; detector: string; severity: string; state: 'open' | 'resolved';
  runId: string | null; agents: string[]; evidence: string[]; message: string;
  raisedAt: string; resolvedAt: string | null; resolution: string | null;
  acknowledgedAt: string | null; acknowledgedBy: string | null;
  count?: number; open?: number; updatedAt?: string; items?: AlertItem[]; actions?: AlertAction[];
}

/** One bucket of `GET /api/v1/metrics`. */
export interface RollupPoint {
  start: string; end: string; events: number; eventsPerSecond: number; errors: number; errorRate: number;
  tasks: number; taskP50Ms: number | null; taskP95Ms: number | null; llmCalls: number; tokens: number; costUsd: number;
}

/** `GET /api/v1/budgets`: a spending limit and what its subjects spent, the most first. */
export interface Budget {
  id: string; name?: string; title: string; metric: 'tokens' | 'costUsd' | 'llmCalls'; limit: number;
  per: 'agent' | 'run' | 'tenant'; agentId?: string; runId?: string; window?: string; warnAt: number;
  setAt: string; setBy: string | null;
  usage: { subject: string; spend: number; share: number; state: 'ok' | 'warning' | 'exhausted' }[];
}

/** `GET /api/v1/policies`: an automatic response to findings, with its latest actions. */
export interface PolicyState {
  id: string; name?: string; title: string;
  match: { detectors: string[]; severity: string; runId?: string; agentId?: string };
  action: 'pause' | 'quarantine' | 'cancel' | 'notify'; mode: 'enforce' | 'dry-run'; cooldown: string;
  cap: { actions: number; per: string }; targets: 'all' | 'first';
  version: number; setAt: string; setBy: string | null; state: 'active' | 'refused'; refused?: string;
  actions: AlertAction[];
}
