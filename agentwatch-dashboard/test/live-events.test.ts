import { describe, expect, it } from 'vitest';
import { matches, type EventFilter } from '../src/views/LiveEvents';
import { ev } from './fixtures';

const none: EventFilter = { run: '', agent: '', type: '', text: '' };

describe('the live event list filter', () => {
  it('finds free text anywhere in the event, whatever its case', () => {
    const e = ev('tool.result', 'worker-7', { tool: 'Search', error: 'Quota exceeded' });
    expect(matches(e, { ...none, text: 'quota EXCEEDED' })).toBe(true);
    expect(matches(e, { ...none, text: 'worker-7' })).toBe(true);
    expect(matches(e, { ...none, text: 'search' })).toBe(true);
    expect(matches(e, { ...none, text: 'timeout' })).toBe(false);
  });

  it('answers the same for the same event however often it is asked', () => {
    const e = ev('log', 'w', { level: 'info', message: 'cached notes' });
    for (let i = 0; i < 3; i++) {
      expect(matches(e, { ...none, text: 'notes' })).toBe(true);
      expect(matches(e, { ...none, text: 'other' })).toBe(false);
    }
  });

  it('narrows by run, agent and type prefix', () => {
    const e = ev('task.started', 'w', { taskId: 't1' }, { runId: 'r1' });
    expect(matches(e, { ...none, run: 'r1', agent: 'w', type: 'task.*' })).toBe(true);
    expect(matches(e, { ...none, run: 'r2' })).toBe(false);
    expect(matches(e, { ...none, agent: 'x' })).toBe(false);
    expect(matches(e, { ...none, type: 'tool.' })).toBe(false);
  });
});
