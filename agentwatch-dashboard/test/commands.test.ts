import { describe, expect, it } from 'vitest';
import { createCommandStore, optimisticStatus } from '../src/store/commands';
import type { AwEvent } from '../src/types';

const ack = (commandId: string, outcome: string, reason?: string): AwEvent => ({
  id: `ack-${commandId}`, type: 'command.acknowledged', agentId: 'w1', ts: '2026-11-28T16:00:00Z', parentId: commandId,
  data: { commandId, outcome, ...(reason ? { reason } : {}) },
});

describe('commands sent from the page', () => {
  it('show the new status at once and settle applied when the agent answers', () => {
    const store = createCommandStore({ now: () => 0 });
    const key = store.getState().start('w1', 'pause');
    expect(store.getState().sent[0].phase).toBe('sending');
    expect(optimisticStatus(store.getState().sent, 'w1')).toBe('paused');
    store.getState().recorded(key, 'cmd-1', true);
    expect(store.getState().sent[0].phase).toBe('pending');
    store.getState().observe([ack('cmd-1', 'applied')]);
    expect(store.getState().sent[0].phase).toBe('applied');
    expect(optimisticStatus(store.getState().sent, 'w1')).toBeNull();
  });

  it('roll back with the agent\'s reason when it rejects the command', () => {
    const store = createCommandStore();
    const key = store.getState().start('w1', 'cancel');
    store.getState().recorded(key, 'cmd-2', true);
    store.getState().observe([ack('cmd-2', 'rejected', 'no task in progress')]);
    expect(store.getState().sent[0]).toMatchObject({ phase: 'rolled-back', reason: 'w1 rejected it: no task in progress' });
  });

  it('roll back visibly when no answer comes in time, saying the agent is not connected', () => {
    let t = 0;
    const store = createCommandStore({ now: () => t, answerWithin: 10_000 });
    const key = store.getState().start('w9', 'quarantine');
    store.getState().recorded(key, 'cmd-3', false);
    t = 9_999;
    store.getState().expire();
    expect(store.getState().sent[0].phase).toBe('pending');
    t = 10_000;
    store.getState().expire();
    expect(store.getState().sent[0].phase).toBe('rolled-back');
    expect(store.getState().sent[0].reason).toContain('w9 is not connected and did not answer within 10 s');
    expect(optimisticStatus(store.getState().sent, 'w9')).toBeNull();
  });

  it('roll back with the server\'s answer when it refuses the command', () => {
    const store = createCommandStore();
    const key = store.getState().start('w1', 'pause');
    store.getState().failed(key, '403: this key may not command agents');
    store.getState().recorded(key, 'cmd-late', true);
    expect(store.getState().sent[0]).toMatchObject({ phase: 'rolled-back', reason: '403: this key may not command agents' });
  });
});
