import { describe, expect, it } from 'vitest';
import { splitPartial } from '../src/components/charts';
import { duration } from '../src/components/util';

describe('rollup charts', () => {
  const minute = (m: number, v: number) => ({ t: m * 60_000, end: (m + 1) * 60_000, v });

  it('keeps the minute still filling apart from the complete ones', () => {
    const now = 3 * 60_000 + 20_000; // 20 s into minute 3
    const { complete, partial } = splitPartial([minute(1, 40), minute(2, 42), minute(3, 9)], now);
    expect(complete).toEqual([{ t: 60_000, v: 40 }, { t: 120_000, v: 42 }]);
    expect(partial).toEqual({ t: 180_000, v: 9 });
  });

  it('has no partial point when the last bucket has ended', () => {
    const { complete, partial } = splitPartial([minute(1, 40), minute(2, 42)], 3 * 60_000);
    expect(complete).toHaveLength(2);
    expect(partial).toBeNull();
  });
});

describe('durations', () => {
  it('reads in the two largest units', () => {
    expect(duration(850)).toBe('850 ms');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(185_000)).toBe('3m 05s');
    expect(duration(2 * 3600_000 + 10 * 60_000)).toBe('2h 10m');
    expect(duration(-1)).toBe('—');
  });
});
