// The in-page half of BrowserBench (see PageProbe.java), run as the body of a function by
// WebDriver's executeScript. It watches the dashboard through window.agentwatch, the page's
// read-only diagnostic hook, and changes nothing. While a phase is open it records:
//  - frames: ms between consecutive animation frames (16.7 at 60 fps; more when the main thread
//    was too busy to draw in time);
//  - longTasks: [start, duration] of main-thread tasks over 50 ms (PerformanceObserver);
//  - delays: for each event the live store applies, Date.now() once the frame that rendered it
//    has been painted, minus the event's data.sentAtMs (same machine, same clock).
// The store applies events inside an animation frame (the dashboard's FrameBatcher), React
// renders them in that frame's microtasks, and the frame is painted before the next task runs:
// a message posted from the store update is therefore handled just after the paint. On a busy
// main thread the message may wait until after a later frame, which over-states the delay by up
// to a frame, never under-states it (checked once against the DOM: it always showed the event).
const aw = window.agentwatch;
if (!aw || !aw.live || !aw.connection) return 'no-hook';
if (window.__awProbe) return 'installed';

let phase = null;

let lastFrame = null;
const frame = (t) => {
  if (phase && phase.framesOn && lastFrame !== null) phase.frames.push(t - lastFrame);
  lastFrame = t;
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);

let longTasks = null;
try {
  longTasks = new PerformanceObserver((list) => {
    if (phase) for (const e of list.getEntries()) phase.longTasks.push([e.startTime, e.duration]);
  });
  longTasks.observe({ type: 'longtask' });
} catch (e) {
  longTasks = null;
}

const painted = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  const batch = painted.shift();
  if (!batch) return;
  const now = Date.now();
  for (const t of batch.sent) batch.phase.delays.push(now - t);
  batch.phase.pending -= batch.sent.length;
};

let applied = aw.live.getState().applied;
aw.live.subscribe((s) => {
  const fresh = s.applied - applied;
  applied = s.applied;
  if (!phase || fresh <= 0) return;
  // The newest `fresh` events are the tail of the store; any beyond its capacity left unseen.
  const shown = Math.min(fresh, s.events.length);
  phase.evictedUnseen += fresh - shown;
  const sent = [];
  for (let i = s.events.length - shown; i < s.events.length; i++) {
    const t = s.events[i].data ? s.events[i].data.sentAtMs : undefined;
    if (typeof t !== 'number') phase.untimed++;
    else if (t >= phase.fromMs) sent.push(t);
  }
  if (sent.length === 0) return;
  phase.pending += sent.length;
  painted.push({ phase, sent });
  channel.port2.postMessage(0);
});

/** What the header shows: the connection's status, or 'behind' while live but late. */
const shown = (c) => (c.status === 'live' && c.behind ? 'behind' : c.status);

aw.connection.subscribe((c, previous) => {
  if (phase && shown(c) !== shown(previous)) phase.statuses.push([Date.now(), shown(c)]);
  if (phase && c.lagMs > phase.maxLagMs) phase.maxLagMs = c.lagMs;
});

window.__awProbe = {
  /** Opens a phase; events sent before fromMs (epoch ms) are not timed. */
  start(fromMs) {
    const c = aw.connection.getState();
    const s = aw.live.getState();
    phase = {
      fromMs, startPerf: performance.now(), stopPerf: null, stopMs: null, framesOn: true,
      frames: [], longTasks: [], delays: [], pending: 0, evictedUnseen: 0, untimed: 0,
      statuses: [[Date.now(), shown(c)]], maxLagMs: c.lagMs ?? 0, gaps: c.gaps, resets: c.resets,
      applied: s.applied, evicted: s.evicted, duplicates: s.duplicates,
    };
  },
  /** Ends the frame recording (the load stopped); events still arriving are timed until finish. */
  stopFrames() {
    if (!phase) return;
    phase.framesOn = false;
    phase.stopPerf = performance.now();
    phase.stopMs = Date.now();
  },
  /** Events of the phase seen so far: timed, waiting for their paint, or evicted unseen. */
  progress() {
    return phase ? phase.delays.length + phase.pending + phase.evictedUnseen : 0;
  },
  /** Closes the phase and answers what it recorded. */
  finish() {
    const p = phase;
    if (!p) return null;
    if (longTasks) for (const e of longTasks.takeRecords()) p.longTasks.push([e.startTime, e.duration]);
    phase = null;
    const stopPerf = p.stopPerf ?? performance.now();
    const c = aw.connection.getState();
    const s = aw.live.getState();
    return {
      frames: p.frames,
      longTasksObserved: longTasks !== null,
      longTasks: p.longTasks.filter(([start]) => start >= p.startPerf && start < stopPerf).map(([, d]) => d),
      windowMs: stopPerf - p.startPerf,
      delays: p.delays,
      pending: p.pending,
      evictedUnseen: p.evictedUnseen,
      untimed: p.untimed,
      statuses: p.statuses,
      windowFrom: p.fromMs,
      windowTo: p.stopMs ?? Date.now(),
      statusAtEnd: shown(c),
      maxLagMs: p.maxLagMs,
      gaps: c.gaps - p.gaps,
      resets: c.resets - p.resets,
      applied: s.applied - p.applied,
      evicted: s.evicted - p.evicted,
      duplicates: s.duplicates - p.duplicates,
      stored: s.events.length,
      visibility: document.visibilityState,
    };
  },
};
return 'ok';
