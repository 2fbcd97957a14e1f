import { describe, expect, it } from 'vitest';
import { createLiveStore } from '../src/store/live';
import { ev } from './fixtures';

describe('the live store', () => {
  it('applies events to the agents they come from', () => {
    const store = createLiveStore();
    store.getState().applyBatch([
      ev('agent.registered', 'manager', { role: 'manager', name: 'Manager' }),
      ev('agent.status', 'manager', { status: 'busy' }),
      ev('agent.heartbeat', 'manager', { cpu: 40, memoryMb: 200, queueDepth: 1 }),
      ev('task.assigned', 'manager', { taskId: 't1', assignee: 'worker-1' }),
      ev('task.started', 'worker-1', { taskId: 't1' }),
      ev('llm.call', 'worker-1', { model: 'm', inputTokens: 100, outputTokens: 20, costUsd: 0.5 }),
      ev('message.sent', 'manager', { to: 'worker-1', content: 'hi' }),
    ]);
    const { agents } = store.getState();
    expect(agents.manager.role).toBe('manager');
    expect(agents.manager.status).toBe('busy');
    expect(agents.manager.heartbeat?.cpu).toBe(40);
    expect(agents.manager.counters.messagesSent).toBe(1);
    expect(agents['worker-1'].counters.messagesReceived).toBe(1);
    expect(agents['worker-1'].counters.tasksAssigned).toBe(1);
    expect(agents['worker-1'].currentTaskId).toBe('t1');
    expect(agents['worker-1'].counters.inputTokens).toBe(100);
    expect(agents['worker-1'].counters.costUsd).toBe(0.5);
  });

  it('keeps the object of an agent no event touched, so the overview need not draw its card again', () => {
    const store = createLiveStore();
    store.getState().applyBatch([ev('tool.called', 'a', { tool: 'grep' }), ev('tool.called', 'b', { tool: 'ls' })]);
    const before = store.getState().agents;
    store.getState().applyBatch([ev('tool.called', 'a', { tool: 'grep' })]);
    const after = store.getState().agents;
    expect(after.b).toBe(before.b);
    expect(after.a).not.toBe(before.a);
    expect(before.a.counters.toolCalls).toBe(1);
    expect(after.a.counters.toolCalls).toBe(2);
  });

  it('clears the current task when it completes and counts a failure as an error', () => {
    const store = createLiveStore();
    store.getState().applyBatch([
      ev('task.started', 'w', { taskId: 't1' }),
      ev('task.completed', 'w', { taskId: 't1' }),
      ev('task.started', 'w', { taskId: 't2' }),
      ev('task.failed', 'w', { taskId: 't2', error: 'boom' }),
    ]);
    const w = store.getState().agents.w;
    expect(w.currentTaskId).toBeNull();
    expect(w.counters.tasksCompleted).toBe(1);
    expect(w.counters.tasksFailed).toBe(1);
    expect(w.counters.errors).toBe(1);
  });

  it('builds on the REST snapshot instead of replacing it', () => {
    const store = createLiveStore();
    const snapshot = ev('agent.status', 'w');
    store.getState().loadAgents([{ agentId: 'w', status: 'idle', counters: { ...zero(), events: 41, toolCalls: 7 } }]);
    store.getState().applyBatch([ev('tool.called', 'w', { tool: 'grep' }, { id: snapshot.id + 'x' })]);
    const w = store.getState().agents.w;
    expect(w.status).toBe('idle');
    expect(w.counters.events).toBe(42);
    expect(w.counters.toolCalls).toBe(8);
  });

  it('shows and counts a redelivered event only once', () => {
    const store = createLiveStore();
    const first = ev('tool.called', 'w', { tool: 'grep' });
    store.getState().applyBatch([first]);
    store.getState().applyBatch([{ ...first }, ev('tool.called', 'w', { tool: 'ls' })]);
    store.getState().applyBatch([{ ...first }]);
    const s = store.getState();
    expect(s.events.map((e) => e.id)).toEqual([first.id, s.events[1].id]);
    expect(s.agents.w.counters.toolCalls).toBe(2);
    expect(s.duplicates).toBe(2);
    expect(s.applied).toBe(2);
  });

  it('drops a duplicate inside the same batch', () => {
    const store = createLiveStore();
    const e = ev('log', 'w', { level: 'info', message: 'x' });
    store.getState().applyBatch([e, { ...e }]);
    expect(store.getState().events).toHaveLength(1);
  });

  it('remembers the cursor of the last delivered event, duplicates included', () => {
    const store = createLiveStore();
    const a = ev('log', 'w');
    const b = ev('log', 'w');
    store.getState().applyBatch([a, b]);
    expect(store.getState().lastCursor).toBe(b.cursor);
    store.getState().applyBatch([{ ...b, cursor: 'c-later' }]);
    expect(store.getState().lastCursor).toBe('c-later');
    expect(store.getState().events).toHaveLength(2);
  });

  it('keeps at most its capacity of events, the newest, while aggregates count them all', () => {
    const store = createLiveStore({ capacity: 100 });
    for (let i = 0; i < 5; i++) {
      store.getState().applyBatch(Array.from({ length: 50 }, () => ev('tool.called', 'w', { tool: 't' })));
    }
    const s = store.getState();
    expect(s.events).toHaveLength(100);
    expect(s.evicted).toBe(150);
    expect(s.applied).toBe(250);
    expect(s.typeCounts['tool.called']).toBe(250);
    expect(s.agents.w.counters.toolCalls).toBe(250);
    expect(s.events[99].cursor).toBe(s.lastCursor);
  });

  it('still recognises an evicted event as a duplicate within its dedupe window', () => {
    const store = createLiveStore({ capacity: 10, dedupeWindow: 100 });
    const old = ev('log', 'w');
    store.getState().applyBatch([old, ...Array.from({ length: 20 }, () => ev('log', 'w'))]);
    store.getState().applyBatch([{ ...old }]);
    expect(store.getState().duplicates).toBe(1);
    expect(store.getState().events.some((e) => e.id === old.id)).toBe(false);
  });

  it('bounds the ids remembered for dedupe', () => {
    const store = createLiveStore({ capacity: 10, dedupeWindow: 20 });
    const first = ev('log', 'w');
    store.getState().applyBatch([first, ...Array.from({ length: 40 }, () => ev('log', 'w'))]);
    store.getState().applyBatch([{ ...first }]);
    // Forgotten after the window: accepted again rather than remembered forever.
    expect(store.getState().duplicates).toBe(0);
  });

  it('counts events per second and errors per minute by when the server received them', () => {
    const now = Date.UTC(2026, 10, 28, 16, 0, 30);
    const store = createLiveStore({ now: () => now });
    const at = (ms: number) => ({ receivedAt: new Date(ms).toISOString() });
    store.getState().applyBatch([
      ev('log', 'w', {}, at(now - 1000)),
      ev('log', 'w', {}, at(now - 1000)),
      ev('error.occurred', 'w', { message: 'x' }, at(now)),
      ev('tool.result', 'w', { tool: 't', error: 'timeout' }, at(now)),
      ev('log', 'w', {}, at(now - 10 * 60 * 1000 * 1000)),
    ]);
    const s = store.getState();
    expect(s.perSecond[Math.floor((now - 1000) / 1000)]).toBe(2);
    expect(s.perSecond[Math.floor(now / 1000)]).toBe(2);
    expect(s.errorsPerMinute[Math.floor(now / 60000)]).toBe(2);
    expect(Object.keys(s.perSecond)).toHaveLength(2);
  });

  it('keeps runs in progress fresh and notes their end', () => {
    const store = createLiveStore();
    store.getState().applyBatch([
      ev('task.created', 'manager', { taskId: 't1' }),
      ev('llm.call', 'w', { model: 'm', inputTokens: 5, outputTokens: 6, costUsd: 0.25 }),
    ]);
    let run = store.getState().runs['run-1'];
    expect(Object.keys(run.participants)).toEqual(['manager', 'w']);
    expect(run.totals.outputTokens).toBe(6);
    store.getState().applyBatch([ev('run.completed', 'manager')]);
    run = store.getState().runs['run-1'];
    expect(run.status).toBe('completed');
  });

  it('notes a cancelled run as cancelled', () => {
    const store = createLiveStore();
    store.getState().applyBatch([ev('log', 'manager'), ev('run.cancelled', 'manager')]);
    expect(store.getState().runs['run-1'].status).toBe('cancelled');
  });

  it('brings an agent that went offline back with its next activity, as the server does', () => {
    const store = createLiveStore();
    const at = (ms: number) => new Date(Date.parse('2026-11-28T16:00:00Z') + ms).toISOString();
    store.getState().applyBatch([{ ...ev('agent.status', 'researcher', { status: 'offline' }), ts: at(0) }]);
    store.getState().applyBatch([{ ...ev('command.issued', 'researcher', { type: 'resume' }), ts: at(500) }]);
    expect(store.getState().agents.researcher.status).toBe('offline');
    store.getState().applyBatch([{ ...ev('agent.heartbeat', 'researcher', { cpu: 1 }), ts: at(1000) }]);
    expect(store.getState().agents.researcher.status).toBe('idle');
  });

  it('shows no card for the server itself: alerts, budgets and policies are nobody\'s activity', () => {
    const store = createLiveStore();
    store.getState().applyBatch([ev('alert.raised', 'agentwatch-analytics', { detector: 'stuck_task' }),
      ev('policy.set', 'agentwatch-api', {})]);
    expect(store.getState().agents).toEqual({});
  });

  it('forgets everything on reset and resumes from the new head', () => {
    const store = createLiveStore();
    const e = ev('log', 'w');
    store.getState().applyBatch([e]);
    store.getState().reset('head-7');
    const s = store.getState();
    expect(s.events).toHaveLength(0);
    expect(s.agents).toEqual({});
    expect(s.lastCursor).toBe('head-7');
    // An event of the new store may reuse an id of the old one.
    store.getState().applyBatch([{ ...e, cursor: 'n1' }]);
    expect(store.getState().events).toHaveLength(1);
  });
});

function zero() {
  return {
    events: 0, tasksAssigned: 0, tasksStarted: 0, tasksCompleted: 0, tasksFailed: 0, errors: 0,
    messagesSent: 0, messagesReceived: 0, toolCalls: 0, llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0,
  };
}

describe('task counts of runs in progress', () => {
  it('come from the server and leave the live-folded totals alone', () => {
    const store = createLiveStore({ capacity: 100 });
    store.getState().applyBatch([ev('task.created', 'm', { taskId: 't1' }, { runId: 'r1' })]);
    const live = store.getState().runs.r1;
    expect(live.totals.events).toBe(1);

    const fromServer = { ...live, totals: { ...live.totals, events: 0 },
      tasks: { total: 1, created: 1, assigned: 0, running: 0, completed: 0, failed: 0 } };
    store.getState().mergeRunTasks([fromServer, { ...fromServer, runId: 'unknown-run' }]);

    expect(store.getState().runs.r1.tasks.created).toBe(1);
    expect(store.getState().runs.r1.totals.events).toBe(1);
    expect(store.getState().runs['unknown-run']).toBeUndefined();
  });
});
