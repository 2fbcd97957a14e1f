/** Small SVG charts: nothing to download, nothing to configure. */

export function Sparkline({ values, width = 220, height = 40, color = '#5ab0ff', label }: {
  values: number[]; width?: number; height?: number; color?: string; label: string;
}) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <polyline points={`0,${height} ${pts} ${width},${height}`} fill={color} fillOpacity={0.15} stroke="none" />
      <polyline points={pts} fill="none" stroke={color} strokeWidth={1.5} />
    </svg>
  );
}

export interface Point { t: number; v: number }

/**
 * Splits a series where its buckets stop being complete: a bucket that ends after `now` is still
 * filling, so its value is lower than it will be and must not read as a drop.
 */
export function splitPartial(points: (Point & { end: number })[], now: number): { complete: Point[]; partial: Point | null } {
  const complete = points.filter((p) => p.end <= now).map(({ t, v }) => ({ t, v }));
  const open = points.filter((p) => p.end > now);
  return { complete, partial: open.length ? { t: open[0].t, v: open[0].v } : null };
}

/**
 * A line over time. `partial`, when given, is the bucket still filling: drawn dashed to a hollow
 * dot and not counted as "now", so a chart does not dip at its right edge.
 */
export function LineChart({ points: complete, partial = null, title, unit, color = '#5ab0ff', height = 140, empty }: {
  points: Point[]; partial?: Point | null; title: string; unit: string; color?: string; height?: number; empty?: string;
}) {
  const points = partial ? [...complete, partial] : complete;
  const width = 520;
  const pad = { l: 44, r: 8, t: 8, b: 20 };
  if (points.length === 0) {
    return (
      <figure className="chart">
        <figcaption>{title}</figcaption>
        <div className="state empty small">{empty ?? `No heartbeats with ${title.toLowerCase()} yet.`}</div>
      </figure>
    );
  }
  const t0 = points[0].t;
  const t1 = Math.max(points[points.length - 1].t, t0 + 1);
  const top = Math.max(...points.map((p) => p.v));
  // A whole-number top for counts keeps the axis labels distinct (0, 1, 2 rather than 0, 1, 1).
  const vmax = top >= 1 ? Math.ceil(top * 1.1) : top * 1.1 || 1;
  const label = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - v / vmax) * (height - pad.t - pad.b);
  const d = complete.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
  const last = complete[complete.length - 1];
  const from = last ?? partial!;
  return (
    <figure className="chart">
      <figcaption>
        {title}{' '}
        {last && <span className="muted">{partial ? 'last full minute' : 'now'} {label(last.v)}{unit}</span>}
        {partial && (
          <span className="muted partial-note">
            {last ? ' · ' : ''}this minute so far {label(partial.v)}{unit}{last ? ' (dashed)' : ''}
          </span>
        )}
      </figcaption>
      <svg width="100%" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={width - pad.r} y1={y(vmax * f)} y2={y(vmax * f)} className="grid" />
            <text x={pad.l - 4} y={y(vmax * f) + 4} textAnchor="end" className="axis">{label(vmax * f)}</text>
          </g>
        ))}
        <text x={pad.l} y={height - 4} className="axis">{new Date(t0).toLocaleTimeString([], { hour12: false })}</text>
        {points.length > 1 && (
          <text x={width - pad.r} y={height - 4} textAnchor="end" className="axis">
            {new Date(t1).toLocaleTimeString([], { hour12: false })}
          </text>
        )}
        {complete.length > 0 && <path d={d} fill="none" stroke={color} strokeWidth={1.5} />}
        {partial && (
          <g className="partial" data-testid="partial-point">
            <line x1={x(from.t)} y1={y(from.v)} x2={x(partial.t)} y2={y(partial.v)} stroke={color}
              strokeWidth={1.5} strokeDasharray="4 3" opacity={0.7} />
            <circle cx={x(partial.t)} cy={y(partial.v)} r={3} fill="var(--panel)" stroke={color} strokeWidth={1.5} />
          </g>
        )}
      </svg>
    </figure>
  );
}
