import { describe, expect, it } from 'vitest';
import { cycleEdges, elements, nodeWidth, positions } from '../src/views/GraphView';
import type { GraphReport } from '../src/types';

function report(nodes: { id: string; quarantined?: boolean }[]): GraphReport {
  return {
    nodes: nodes.map((n) => ({
      id: n.id, role: null, status: null, quarantined: !!n.quarantined, offline: false, lost: false,
      events: 1, inDegree: 0, outDegree: 0, betweenness: null, clustering: 0,
    })),
    edges: [], cycles: [], loops: [], asOf: 'c',
    metrics: { nodes: nodes.length, edges: 0, density: 0, averageClustering: 0, averagePathLength: null,
      isolatedNodes: [], cycleCount: 0, cyclesTruncated: false },
  };
}

describe('the causal graph view', () => {
  it('marks every edge of a cycle, closing it back to its start', () => {
    expect([...cycleEdges([['a', 'b', 'c']])].sort()).toEqual(['a→b', 'b→c', 'c→a']);
    expect(cycleEdges([])).toEqual(new Set());
  });

  it('paints red only the loops the detector raised, not every cycle', () => {
    const r = report([{ id: 'boss' }, { id: 'w1' }, { id: 'a' }, { id: 'b' }]);
    const edge = (from: string, to: string) => ({ from, to, kind: 'delegation', count: 3, lastSeen: null, latencyMeanMs: null, strength: 0.5 });
    r.edges = [edge('boss', 'w1'), edge('w1', 'boss'), edge('a', 'b'), edge('b', 'a')];
    r.cycles = [['a', 'b'], ['boss', 'w1']];
    const red = () => elements(r, 800, 400).filter((e) => (e.classes as string).includes('loop')).map((e) => e.data.id);
    expect(red()).toEqual([]);

    r.loops = [{ alertId: 'alert-1', runId: 'r1', cycle: ['a', 'b'], since: '2026-11-28T16:00:00Z' }];
    expect(red()).toEqual(['a→b:delegation', 'b→a:delegation']);
  });

  it('puts quarantined agents in a column apart from the others', () => {
    const at = positions(report([{ id: 'm' }, { id: 'w1' }, { id: 'w2', quarantined: true }]), 800, 400);
    const activeMaxX = Math.max(at.m.x, at.w1.x);
    expect(at.w2.x).toBeGreaterThan(activeMaxX + 50);
    expect(Object.keys(at).sort()).toEqual(['m', 'w1', 'w2']);
  });

  it('sizes a node to hold its longest label line', () => {
    expect(nodeWidth('m')).toBe(64);
    const long = nodeWidth('a-rather-long-agent-id\nworker');
    expect(long).toBeGreaterThan(nodeWidth('researcher\nworker'));
    expect(long).toBeGreaterThanOrEqual('a-rather-long-agent-id'.length * 12 * 0.6);
  });
});
