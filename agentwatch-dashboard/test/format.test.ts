import { describe, expect, it } from 'vitest';
import { int, time } from '../src/components/util';

describe('the shared formatters', () => {
  it('write times and counts as toLocaleTimeString and toLocaleString do', () => {
    for (const iso of ['2026-11-28T16:00:00.123Z', '2026-11-28T00:00:05Z', '2026-01-01T23:59:59.999+02:00']) {
      expect(time(iso)).toBe(new Date(iso).toLocaleTimeString([], { hour12: false }));
    }
    for (const n of [0, 7, 1234, 17995, 1234567.5, -42]) {
      expect(int(n)).toBe(n.toLocaleString());
    }
  });

  it('show a dash for a missing or unreadable time and zero for a missing count', () => {
    expect(time(null)).toBe('—');
    expect(time(undefined)).toBe('—');
    expect(time('not a time')).toBe('—');
    expect(int(null)).toBe('0');
  });
});
