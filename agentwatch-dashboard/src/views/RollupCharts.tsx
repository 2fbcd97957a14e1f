import { useEffect } from 'react';
import { api } from '../api';
import { LineChart, type Point } from '../components/charts';
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
  const series = (pick: (p: RollupPoint) => number | null): Point[] => points
    .filter((p) => pick(p) != null).map((p) => ({ t: Date.parse(p.start), v: pick(p)! }));
  return (
    <div className="charts" data-testid="rollups">
      <LineChart points={series((p) => p.events)} title="Events / min" unit="" empty={EMPTY} />
      <LineChart points={series((p) => p.errors)} title="Errors / min" unit="" color="#ff7a7a" empty={EMPTY} />
      <LineChart points={series((p) => p.tokens)} title="Tokens / min" unit="" color="#d7b4ff" empty={EMPTY} />
      <LineChart points={series((p) => p.taskP95Ms)} title="Task p95" unit=" ms" color="#e6b450" empty={EMPTY} />
    </div>
  );
}
