import { useEffect, useRef, useState, type ReactNode } from 'react';

/** Renders only the rows in view (plus a few), so ten thousand rows cost what forty do. */
export function VirtualList<T>({ rows, rowHeight, render, className }: {
  rows: T[]; rowHeight: number; render: (row: T, index: number) => ReactNode; className?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 600);
    measure();
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
    ro?.observe(el);
    return () => ro?.disconnect();
  }, []);
  const overscan = 8;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const visible = [];
  for (let i = first; i < last; i++) {
    visible.push(
      <div key={i} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>{render(rows[i], i)}</div>,
    );
  }
  return (
    <div ref={box} className={`vlist ${className ?? ''}`} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div style={{ height: rows.length * rowHeight, position: 'relative' }}>{visible}</div>
    </div>
  );
}
