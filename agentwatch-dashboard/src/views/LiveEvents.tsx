import { useMemo, useState } from 'react';
import { VirtualList } from '../components/VirtualList';
import { Empty, href, time } from '../components/util';
import { useLive } from '../session';
import { isError, type AwEvent } from '../types';

export interface EventFilter { run: string; agent: string; type: string; text: string }

// Each event's JSON in lower case, made once per event: with a free-text filter the list filters
// all its events (up to 5,000) again whenever events arrive, many times a second under load.
// Delivered events are never changed, and a WeakMap lets evicted ones go.
const searchable = new WeakMap<AwEvent, string>();

function searchText(e: AwEvent): string {
  let text = searchable.get(e);
  if (text === undefined) {
    text = JSON.stringify(e).toLowerCase();
    searchable.set(e, text);
  }
  return text;
}

export function matches(e: AwEvent, f: EventFilter): boolean {
  if (f.run && e.runId !== f.run) return false;
  if (f.agent && e.agentId !== f.agent) return false;
  if (f.type && !e.type.startsWith(f.type.replace(/\*$/, ''))) return false;
  if (f.text) return searchText(e).includes(f.text.toLowerCase());
  return true;
}

export function summary(e: AwEvent): string {
  const d = e.data ?? {};
  switch (e.type) {
    case 'message.sent': return `→ ${d.to}: ${d.content}`;
    case 'task.created': return `${d.taskId} ${d.title ?? ''}`;
    case 'task.assigned': return `${d.taskId} → ${d.assignee}`;
    case 'task.progress': return `${d.taskId} ${d.percent}%`;
    case 'task.failed': return `${d.taskId}: ${d.error}`;
    case 'tool.called': return String(d.tool);
    case 'tool.result': return `${d.tool}${d.durationMs != null ? ` ${d.durationMs} ms` : ''}${d.error ? ` error: ${d.error}` : ''}`;
    case 'llm.call': return `${d.model} ${d.inputTokens}→${d.outputTokens} tok${d.costUsd != null ? ` $${d.costUsd}` : ''}`;
    case 'agent.status': return String(d.status);
    case 'agent.heartbeat': return `cpu ${d.cpu ?? '—'} mem ${d.memoryMb ?? '—'} MB queue ${d.queueDepth ?? '—'}`;
    case 'log': return `[${d.level}] ${d.message}`;
    case 'error.occurred': return String(d.message);
    default:
      return typeof d.taskId === 'string' ? d.taskId : JSON.stringify(d).slice(0, 200);
  }
}

export function LiveEvents() {
  const events = useLive((s) => s.events);
  const applied = useLive((s) => s.applied);
  const evicted = useLive((s) => s.evicted);
  const capacity = useLive((s) => s.capacity);
  const [filter, setFilter] = useState<EventFilter>({ run: '', agent: '', type: '', text: '' });
  const [paused, setPaused] = useState<{ events: AwEvent[]; applied: number } | null>(null);
  const [selected, setSelected] = useState<AwEvent | null>(null);

  const source = paused ? paused.events : events;
  const rows = useMemo(() => {
    const out: AwEvent[] = [];
    for (let i = source.length - 1; i >= 0; i--) if (matches(source[i], filter)) out.push(source[i]);
    return out;
  }, [source, filter]);
  const waiting = paused ? applied - paused.applied : 0;
  const set = (k: keyof EventFilter) => (e: React.ChangeEvent<HTMLInputElement>) => setFilter({ ...filter, [k]: e.target.value });

  return (
    <div className="events-view">
      <div className="toolbar">
        <input placeholder="run id" value={filter.run} onChange={set('run')} />
        <input placeholder="agent id" value={filter.agent} onChange={set('agent')} />
        <input placeholder="type prefix, e.g. task." value={filter.type} onChange={set('type')} />
        <input placeholder="free text" value={filter.text} onChange={set('text')} className="grow" />
        <button onClick={() => setPaused(paused ? null : { events, applied })}>
          {paused ? `Resume (${waiting} new)` : 'Pause'}
        </button>
        <span className="muted small">
          {rows.length} shown · newest first · last {capacity.toLocaleString()} kept{evicted ? `, ${evicted.toLocaleString()} older evicted` : ''}
          {paused && waiting > capacity ? ' · some paused-over events already left memory' : ''}
        </span>
      </div>
      {source.length === 0 ? (
        <Empty>No events yet since sign-in. New events appear here live as agents send them.</Empty>
      ) : rows.length === 0 ? (
        <Empty>No event matches these filters. Clear a filter to see more.</Empty>
      ) : (
        <VirtualList rows={rows} rowHeight={26} className="event-list" render={(e) => (
          <div className={`erow ${isError(e) ? 'bad' : ''} ${selected?.id === e.id ? 'sel' : ''}`} onClick={() => setSelected(e)}>
            <span className="c-time">{time(e.ts)}</span>
            <span className="c-run">{e.runId ?? ''}</span>
            <span className="c-agent">{e.agentId}</span>
            <span className="c-type">{e.type}</span>
            <span className="c-sum">{summary(e)}</span>
          </div>
        )} />
      )}
      {selected && (
        <aside className="drawer">
          <div className="drawer-head">
            <strong>{selected.type}</strong>
            <button className="ghost" onClick={() => setSelected(null)}>Close</button>
          </div>
          <div className="small">
            agent <a href={href(`/agent/${encodeURIComponent(selected.agentId)}`)}>{selected.agentId}</a>
            {selected.runId && <> · run <a href={href(`/run/${encodeURIComponent(selected.runId)}`)}>{selected.runId}</a></>}
          </div>
          <pre>{JSON.stringify(selected, null, 2)}</pre>
        </aside>
      )}
    </div>
  );
}
