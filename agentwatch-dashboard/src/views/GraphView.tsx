import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { useEffect, useRef } from 'react';
import { api } from '../api';
import { Empty, Problem, href, useFetch } from '../components/util';
import { useLive } from '../session';
import type { GraphReport } from '../types';

const REFRESH_MS = 2000;

/** Edges that lie on one of the given cycles: "from→to" keys. */
export function cycleEdges(cycles: string[][]): Set<string> {
  const keys = new Set<string>();
  for (const cycle of cycles) {
    for (let i = 0; i < cycle.length; i++) keys.add(`${cycle[i]}→${cycle[(i + 1) % cycle.length]}`);
  }
  return keys;
}

/**
 * Where each agent goes: active agents on a circle, quarantined ones in a column of their own on
 * the right, so isolation is visible at a glance.
 */
export function positions(report: GraphReport, width: number, height: number): Record<string, { x: number; y: number }> {
  const active = report.nodes.filter((n) => !n.quarantined).map((n) => n.id).sort();
  const apart = report.nodes.filter((n) => n.quarantined).map((n) => n.id).sort();
  const out: Record<string, { x: number; y: number }> = {};
  const cx = (width - (apart.length ? 160 : 0)) / 2;
  const cy = height / 2;
  const r = Math.max(40, Math.min(cx, cy) - 50);
  active.forEach((id, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, active.length) - Math.PI / 2;
    out[id] = active.length === 1 ? { x: cx, y: cy } : { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
  });
  apart.forEach((id, i) => { out[id] = { x: width - 70, y: 50 + i * 70 }; });
  return out;
}

/** Node width that holds its longest label line at the label font (a circle for short names). */
export function nodeWidth(label: string): number {
  const longest = Math.max(...label.split('\n').map((l) => l.length));
  return Math.max(64, Math.round(longest * NODE_FONT_PX * 0.62 + 24));
}

const NODE_FONT_PX = 12;

/**
 * The graph's elements. Only the loops the routing_loop detector raised (and has not resolved) are
 * painted red: a cycle alone is ordinary delegate-and-reply teamwork, not a loop.
 */
export function elements(report: GraphReport, width: number, height: number): ElementDefinition[] {
  const loop = cycleEdges((report.loops ?? []).map((l) => l.cycle));
  const quarantined = new Set(report.nodes.filter((n) => n.quarantined).map((n) => n.id));
  const at = positions(report, width, height);
  const nodes: ElementDefinition[] = report.nodes.map((n) => ({
    data: { id: n.id, label: n.role ? `${n.id}\n${n.role}` : n.id, w: nodeWidth(n.role ? `${n.id}\n${n.role}` : n.id) },
    position: at[n.id],
    classes: [n.quarantined ? 'quarantined' : '', n.offline || n.lost ? 'offline' : '', n.role ?? ''].join(' '),
  }));
  const edges: ElementDefinition[] = report.edges.map((e) => ({
    data: {
      id: `${e.from}→${e.to}:${e.kind}`, source: e.from, target: e.to,
      label: `${e.kind} ×${e.count}`, width: 1 + 5 * e.strength,
    },
    classes: [loop.has(`${e.from}→${e.to}`) ? 'loop' : '', quarantined.has(e.from) || quarantined.has(e.to) ? 'cut' : ''].join(' '),
  }));
  return [...nodes, ...edges];
}

const STYLE: cytoscape.StylesheetJson = [
  { selector: 'node', style: {
    'background-color': '#2b3a4a', 'border-color': '#5ab0ff', 'border-width': 2, label: 'data(label)',
    color: '#dfe7ef', 'font-size': NODE_FONT_PX, 'text-wrap': 'wrap', 'text-valign': 'center', 'text-halign': 'center',
    shape: 'round-rectangle', width: 'data(w)', height: 48,
  } },
  { selector: 'node.manager', style: { 'border-color': '#d7b4ff' } },
  { selector: 'node.offline', style: { 'border-style': 'dashed', opacity: 0.6 } },
  { selector: 'node.quarantined', style: { 'border-color': '#ff7a7a', 'background-color': '#3a2222', 'border-style': 'double', 'border-width': 5 } },
  { selector: 'edge', style: {
    width: 'data(width)', 'line-color': '#55708a', 'target-arrow-color': '#55708a', 'target-arrow-shape': 'triangle',
    'curve-style': 'bezier', label: 'data(label)', 'font-size': 12, color: '#e6edf3', 'text-rotation': 'autorotate',
    'text-background-color': '#0f151b', 'text-background-opacity': 0.85, 'text-background-padding': '2px',
  } },
  { selector: 'edge.loop', style: { 'line-color': '#ff7a7a', 'target-arrow-color': '#ff7a7a' } },
  { selector: 'edge.cut', style: { 'line-style': 'dotted', opacity: 0.35 } },
];

/** The run's causal graph, drawn with cytoscape.js and refreshed while the run moves. */
export function GraphView({ runId }: { runId: string }) {
  const graph = useFetch(`graph:${runId}`, () => api.graph(runId));
  const liveCount = useLive((s) => s.runs[runId]?.totals.events ?? 0);
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const { reload } = graph;

  useEffect(() => {
    const t = setTimeout(reload, REFRESH_MS);
    return () => clearTimeout(t);
  }, [liveCount, reload]);

  useEffect(() => {
    if (!box.current || !graph.data) return;
    const { clientWidth: w, clientHeight: h } = box.current;
    if (!cy.current) {
      cy.current = cytoscape({
        container: box.current, style: STYLE, layout: { name: 'preset' },
        userZoomingEnabled: true, boxSelectionEnabled: false, autoungrabify: false,
      });
      cy.current.on('tap', 'node', (ev) => { location.hash = href(`/agent/${encodeURIComponent(ev.target.id())}`); });
    }
    cy.current.json({ elements: elements(graph.data, w, h) });
    cy.current.fit(undefined, 30);
  }, [graph.data]);

  useEffect(() => () => { cy.current?.destroy(); cy.current = null; }, []);

  if (graph.error && !graph.data) return <Problem error={graph.error} retry={graph.reload} />;
  const m = graph.data?.metrics;
  const loops = graph.data?.loops ?? [];
  return (
    <div className="graph-view">
      {graph.data && graph.data.nodes.length === 0 && <Empty>No agent of this run has interacted yet.</Empty>}
      <div className="graph-box" ref={box} data-testid="graph" />
      {m && (
        <div className="stats small">
          <span>{m.nodes} agents</span>
          <span>{m.edges} links</span>
          <span>density {m.density.toFixed(2)}</span>
          <span>clustering {m.averageClustering.toFixed(2)}</span>
          <span>avg path {m.averagePathLength == null ? '—' : m.averagePathLength.toFixed(2)}</span>
          <span title="cycles in the graph; delegating and hearing back makes one">{m.cycleCount}{m.cyclesTruncated ? '+' : ''} cycles</span>
          <span className={loops.length ? 'bad' : 'muted'} data-testid="loops">
            {loops.length === 0 ? 'no routing loop' : `${loops.length} routing loop${loops.length === 1 ? '' : 's'}: `}
            {loops.map((l) => <a key={l.alertId + l.cycle.join()} href={href('/alerts')} title={`alert ${l.alertId}`}>{[...l.cycle, l.cycle[0]].join(' → ')} </a>)}
          </span>
          {m.isolatedNodes.length > 0 && <span className="warn">isolated: {m.isolatedNodes.join(', ')}</span>}
          {graph.data!.nodes.some((n) => n.quarantined) && (
            <span className="bad">quarantined: {graph.data!.nodes.filter((n) => n.quarantined).map((n) => n.id).join(', ')}</span>
          )}
        </div>
      )}
    </div>
  );
}
