import { useEffect, useState } from 'react';
import { api } from '../api';
import { Empty, Loading, Problem, ago, duration, href, int, money, when, useFetch, useNow } from '../components/util';
import { useLive } from '../session';
import type { RunState } from '../types';

const PAGE = 50;
const SEARCH_DELAY_MS = 300;
const REFRESH_MS = 5000;

/**
 * Every run of the tenant, running or finished, newest first: searchable by run id, title or
 * participant, filtered by state, and paged with the API's keyset tokens (`next` → `after`), so a
 * page stays stable while new runs start. The first page follows new runs as they arrive.
 */
export function RunsView() {
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  /** Tokens of the pages before the one shown: `after` values to go back with. */
  const [trail, setTrail] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  useEffect(() => {
    const t = setTimeout(() => { setQ(typed.trim()); setTrail([]); setAfter(null); }, SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [typed]);
  const page = useFetch(`runs:${q}:${status}:${after ?? ''}`,
    () => api.runsPage({ q, status, after, limit: PAGE }));
  const runCount = useLive((s) => Object.keys(s.runs).length);
  const now = useNow(REFRESH_MS);
  const { reload } = page;
  useEffect(() => { if (after === null) reload(); }, [runCount, now, after, reload]);

  const rows = page.data?.runs ?? [];
  const next = page.data?.next ?? null;
  return (
    <div className="runs-view">
      <div className="toolbar">
        <input className="grow" type="search" placeholder="search run, title or agent" value={typed}
          aria-label="search runs" onChange={(e) => setTyped(e.target.value)} />
        <select value={status} aria-label="run state" onChange={(e) => { setStatus(e.target.value); setTrail([]); setAfter(null); }}>
          <option value="">every state</option>
          <option value="running">running</option>
          <option value="completed">completed</option>
          <option value="failed">failed</option>
        </select>
      </div>
      {page.error && !page.data ? <Problem error={page.error} retry={page.reload} />
        : !page.data ? <Loading what="runs" />
          : rows.length === 0 ? (
            <Empty>{q || status ? 'No run matches.' : 'No run yet. Runs appear when events carry a runId.'}</Empty>
          ) : (
            <div className="table-scroll">
              <table className="grid-table runs-table">
                <thead><tr><th>run</th><th>state</th><th>started</th><th>took</th><th>participants</th><th>tasks</th><th>events</th><th>tokens</th><th>cost</th></tr></thead>
                <tbody>{rows.map((r) => <RunRow key={r.runId} run={r} now={now} />)}</tbody>
              </table>
            </div>
          )}
      <div className="pager">
        <button className="ghost" disabled={trail.length === 0}
          onClick={() => { setAfter(trail[trail.length - 1]); setTrail(trail.slice(0, -1)); }}>← Newer</button>
        <span className="muted small">page {trail.length + 1}{rows.length ? ` · ${rows.length} runs` : ''}</span>
        <button className="ghost" disabled={!next}
          onClick={() => { setTrail([...trail, after]); setAfter(next); }}>Older →</button>
      </div>
    </div>
  );
}

function RunRow({ run: r, now }: { run: RunState; now: number }) {
  const agents = Object.keys(r.participants);
  const ended = r.endedAt ? Date.parse(r.endedAt) : null;
  const started = r.startedAt ? Date.parse(r.startedAt) : null;
  return (
    <tr className={r.status === 'failed' ? 'bad' : ''}>
      <td><a href={href(`/run/${encodeURIComponent(r.runId)}`)}>{r.title ?? r.runId}</a></td>
      <td><span className={`status s-${r.status}`}>{r.status}</span></td>
      <td title={r.startedAt ?? ''}>{when(r.startedAt, now)}</td>
      <td>{started == null ? '—' : ended != null ? duration(ended - started)
        : <span className="muted">{ago(r.startedAt, now).replace(' ago', '')} so far</span>}</td>
      <td className="participants" title={agents.join(', ')}>{agents.length > 3 ? `${agents.slice(0, 3).join(', ')} +${agents.length - 3}` : agents.join(', ')}</td>
      <td>{r.tasks.completed}/{r.tasks.total}{r.tasks.failed ? `, ${r.tasks.failed} failed` : ''}</td>
      <td>{int(r.totals.events)}</td>
      <td>{int(r.totals.inputTokens + r.totals.outputTokens)}</td>
      <td>{money(r.totals.costUsd)}</td>
    </tr>
  );
}
