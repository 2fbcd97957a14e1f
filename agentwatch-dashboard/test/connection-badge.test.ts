import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { exposeDiagnostics } from '../src/diagnostics';
import { createConnectionStore } from '../src/store/connection';
import { createLiveStore } from '../src/store/live';
import { ConnectionBadgeView } from '../src/views/ConnectionBadge';

const NOW = Date.UTC(2026, 10, 28, 16, 0, 0);
const base = { status: 'live' as const, retryAt: null, lastError: null, gaps: 0, lagMs: 0, behind: false };
const badge = (patch: Partial<typeof base> | Record<string, unknown>) =>
  renderToStaticMarkup(createElement(ConnectionBadgeView, { state: { ...base, ...patch }, duplicates: 0, now: NOW }));

describe('the connection badge', () => {
  it('says live while the page keeps up', () => {
    const html = badge({ lagMs: 400 });
    expect(html).toContain('class="badge live"');
    expect(html).toContain('● live');
    expect(html).not.toContain('behind');
  });

  it('says behind by N s, in its own colour, instead of live while the page is behind', () => {
    const html = badge({ lagMs: 12_400, behind: true });
    expect(html).toContain('class="badge behind"');
    expect(html).toContain('● behind by 12 s');
    expect(html).toContain('events reach the screen 12.4 s after the server stored them');
  });

  it('lets the other states speak for themselves, whatever lag was last measured', () => {
    expect(badge({ status: 'catching-up', lagMs: 9_000, behind: true })).toContain('● catching up');
    expect(badge({ status: 'reconnecting', retryAt: NOW + 2_500, behind: true })).toContain('● reconnecting in 3s');
  });
});

describe('the diagnostic hook', () => {
  it('shows how far behind the page is', () => {
    const connection = createConnectionStore();
    const g = globalThis as { window?: unknown };
    g.window = {};
    try {
      exposeDiagnostics({ live: createLiveStore(), connection });
      connection.getState().set({ status: 'live', lagMs: 7_000, behind: true });
      expect(window.agentwatch?.connection.getState()).toMatchObject({ lagMs: 7_000, behind: true });
    } finally {
      delete g.window;
    }
  });
});
