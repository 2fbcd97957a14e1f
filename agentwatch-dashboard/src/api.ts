import { clockOffsetFromDate } from './live/lag';
import type { AgentState, Alert, AwEvent, Budget, GraphReport, PolicyState, RollupPoint, RunState, TaskState } from './types';

/** Thrown for any non-2xx answer; `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let currentKey: string | null = null;
let onUnauthorized: (() => void) | null = null;
/** The `Date` header of the latest answer and the page's clock when it came. */
let lastServerDate: { date: string; arrivedAt: number } | null = null;

export function setApiKey(key: string | null) {
  currentKey = key;
}

export function onAuthRejected(handler: () => void) {
  onUnauthorized = handler;
}

/**
 * Server clock minus the page's clock, estimated from the latest answer's `Date` header (whole
 * seconds, good to about a second); null before the first answer that had one.
 */
export function serverClockOffset(): number | null {
  return lastServerDate ? clockOffsetFromDate(lastServerDate.date, lastServerDate.arrivedAt) : null;
}

export function get<T>(path: string, key: string | null = currentKey): Promise<T> {
  return send<T>('GET', path, key);
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return send<T>('POST', path, currentKey, body);
}

/** A problem's `field` (budgets and policies name the field at fault), when there is one. */
export class FieldError extends ApiError {
  constructor(status: number, message: string, readonly field: string | null) {
    super(status, message);
  }
}

async function send<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, key: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    // Live state: never answered from the browser's cache (the server says no-store as well).
    res = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is it running?');
  }
  const date = res.headers.get('Date');
  if (date) lastServerDate = { date, arrivedAt: Date.now() };
  if (!res.ok) {
    let detail = res.statusText;
    let field: string | null = null;
    try {
      const body = await res.json();
      detail = body.detail ?? body.title ?? detail;
      field = typeof body.field === 'string' ? body.field : null;
    } catch {
      // not problem+json; keep the status text
    }
    // Only a key that was accepted before can stop being accepted: a request without one says nothing.
    if (res.status === 401 && key && key === currentKey && onUnauthorized) onUnauthorized();
    throw new FieldError(res.status, `${res.status}: ${detail}`, field);
  }
  if (res.status === 204) return undefined as T;
  return res.json() as Promise<T>;
}

const q = (params: Record<string, string | number | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') s.set(k, String(v));
  return s.toString();
};

export interface CommandRecord {
  commandId: string; type: string; reason: string | null; taskId: string | null;
  issuedAt: string; issuedBy: string | null; state: 'pending' | 'applied' | 'rejected';
  acknowledgedAt?: string; answer?: string | null; alertId?: string | null;
}

export const api = {
  graph: (runId: string) => get<GraphReport>(`/api/v1/runs/${encodeURIComponent(runId)}/graph`),
  alerts: (params: { state?: string; runId?: string; agentId?: string; detector?: string; after?: string }) =>
    get<{ alerts: Alert[]; next: string | null }>(`/api/v1/alerts?${q({ ...params, limit: 200 })}`),
  ackAlert: (id: string) => post<Alert>(`/api/v1/alerts/${encodeURIComponent(id)}/ack`, {}),
  metrics: (params: { runId?: string; agentId?: string; bucket: '1m' | '1h'; from?: string }) =>
    get<{ points: RollupPoint[] }>(`/api/v1/metrics?${q(params)}`),
  command: (agentId: string, body: { type: string; reason?: string; taskId?: string }) =>
    post<{ commandId: string; agentConnected: boolean }>(`/api/v1/agents/${encodeURIComponent(agentId)}/commands`, body),
  commands: (agentId: string) =>
    get<{ commands: CommandRecord[] }>(`/api/v1/agents/${encodeURIComponent(agentId)}/commands?limit=10`),
  budgets: () => get<{ budgets: Budget[] }>('/api/v1/budgets'),
  createBudget: (body: Record<string, unknown>) => post<Budget>('/api/v1/budgets', body),
  deleteBudget: (id: string) => send<void>('DELETE', `/api/v1/budgets/${encodeURIComponent(id)}`, currentKey),
  policies: () => get<{ policies: PolicyState[] }>('/api/v1/policies'),
  createPolicy: (body: Record<string, unknown>) => post<PolicyState>('/api/v1/policies', body),
  patchPolicy: (id: string, body: Record<string, unknown>) =>
    send<PolicyState>('PATCH', `/api/v1/policies/${encodeURIComponent(id)}`, currentKey, body),
  deletePolicy: (id: string) => send<void>('DELETE', `/api/v1/policies/${encodeURIComponent(id)}`, currentKey),
  /** A single-use ticket that opens one stream within 30 s, so the key itself never goes into a URL. */
  streamTicket: () => send<{ ticket: string | null }>('POST', '/api/v1/stream-tickets', currentKey),
  agents: () => get<{ agents: AgentState[]; asOf: string }>('/api/v1/agents?limit=1000'),
  agent: (id: string) => get<AgentState>(`/api/v1/agents/${encodeURIComponent(id)}`),
  runs: (status?: string) => get<{ runs: RunState[]; asOf: string }>(`/api/v1/runs?${q({ status, limit: 200 })}`),
  /** One page of every run (newest first), narrowed by `q` (run id, title or participant) and `status`. */
  runsPage: (params: { q?: string; status?: string; after?: string | null; limit: number }) =>
    get<{ runs: RunState[]; next: string | null; asOf: string }>(`/api/v1/runs?${q(params)}`),
  run: (id: string) => get<RunState>(`/api/v1/runs/${encodeURIComponent(id)}`),
  tasks: (id: string) => get<{ tasks: TaskState[] }>(`/api/v1/runs/${encodeURIComponent(id)}/tasks?limit=1000`),
  /** Stored events in log order, following `next` for at most `pages` pages of 1000. */
  async events(params: Record<string, string | undefined>, pages = 5): Promise<AwEvent[]> {
    const out: AwEvent[] = [];
    let after: string | undefined;
    for (let i = 0; i < pages; i++) {
      const page = await get<{ events: AwEvent[]; next: string | null }>(
        `/api/v1/events?${q({ ...params, after, limit: 1000 })}`);
      out.push(...page.events);
      if (!page.next || page.events.length === 0) break;
      after = page.next;
    }
    return out;
  },
};

/**
 * Whether the server runs with auth off, from `GET /api/v1/auth`, the one path open without a key,
 * so the sign-in page never makes a request that fails with 401.
 */
export async function authIsOff(): Promise<boolean> {
  try {
    return (await get<{ authRequired: boolean }>('/api/v1/auth', null)).authRequired === false;
  } catch {
    return false;
  }
}
