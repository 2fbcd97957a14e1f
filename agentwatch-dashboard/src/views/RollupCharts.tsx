import { useEffect } from 'react';
import { api, serverClockOffset } from '../api';
import { LineChart, splitPartial } from '../components/charts';
import { useFetch } from '../components/util';
import { useLive } from '../session';
import type { RollupPoint } from '../types';

const WINDOW_MIN = 60;
const REFRESH_MS = 5000;
const EMPTY = 'Nothing in the last hour yet.';

/** Per-minute rollups of the last hour (`GET /api/v1/metrics`) for a run or an agent. */
export function RollupCharts({ runId, agentId }: { runId?: string; agentId?: string }) {
  const key = `metrics:${runId ?? ''}:${agentId ?? ''}`;
  const metrics = useFetch(key, () => api.metrics({
    runId, agentId, bucket: '1m', from: new Date(Date.now() - WINDOW_MIN * 60_000).toISOString(),
  }));
  const applied = useLive((s) => s.applied);
  const { reload } = metrics;
  useEffect(() => {
    const t = setTimeout(reload, REFRESH_MS);
    return () => clearTimeout(t);
  }, [applied, reload]);

  if (metrics.error && !metrics.data) return <p className="muted small">Rollups unavailable: {metrics.error}</p>;
  const points = metrics.data?.points ?? [];
  // The minute still filling would read as a drop at the right edge; it is drawn apart (dashed).
  const serverNow = Date.now() + (serverClockOffset() ?? 0);
  const series = (pick: (p: RollupPoint) => number | null) => splitPartial(points
    .filter((p) => pick(p) != null).map((p) => ({ t: Date.parse(p.start), end: Date.parse(p.end), v: pick(p)! })), serverNow);
  const chart = (title: string, pick: (p: RollupPoint) => number | null, unit: string, color?: string) => {
    const { complete, partial } = series(pick);
    return <LineChart points={complete} partial={partial} title={title} unit={unit} color={color} empty={EMPTY} />;
  };
  return (
    <div className="charts" data-testid="rollups">
      {chart('Events / min', (p) => p.events, '')}
      {chart('Errors / min', (p) => p.errors, '', '#ff7a7a')}
      {chart('Tokens / min', (p) => p.tokens, '', '#d7b4ff')}
      {chart('Task p95', (p) => p.taskP95Ms, ' ms', '#e6b450')}
    </div>
  );
}
