import type { AwEvent } from '../src/types';

let seq = 0;

/** A delivered event with a fresh id and cursor unless given. */
export function ev(type: string, agentId: string, data: Record<string, unknown> = {}, extra: Partial<AwEvent> = {}): AwEvent {
  seq++;
  return {
    id: `e${seq}`,
    type,
    agentId,
    runId: 'run-1',
    ts: new Date(Date.UTC(2026, 10, 28, 16, 0, 0) + seq * 10).toISOString(),
    data,
    cursor: `c${seq}`,
    ...extra,
  };
}
