import { createStore } from 'zustand/vanilla';
import type { AwEvent } from '../types';

/**
 * Commands sent from this page, shown optimistically: a button press is `sending` at once, `pending`
 * once the server recorded the command, `applied` when the agent's `command.acknowledged` streams in
 * with outcome applied, and `rolled-back` (with the reason shown) when the server refused it, the
 * agent rejected it, or no answer came within `answerWithin` ms. While a pause or quarantine is
 * sending or pending, the agent's status shows what it will become.
 */
export type CommandPhase = 'sending' | 'pending' | 'applied' | 'rolled-back';

export interface SentCommand {
  key: string;
  agentId: string;
  type: string;
  commandId: string | null;
  phase: CommandPhase;
  reason: string | null;
  startedAt: number;
  agentConnected: boolean | null;
}

export interface CommandsState {
  sent: SentCommand[];
  start(agentId: string, type: string): string;
  recorded(key: string, commandId: string, agentConnected: boolean): void;
  failed(key: string, reason: string): void;
  /** Applies streamed events: acknowledgements settle what they answer. */
  observe(events: AwEvent[]): void;
  /** Rolls back what waited longer than `answerWithin`. */
  expire(): void;
  dismiss(key: string): void;
}

/** What an agent's status becomes when a command takes effect (null: unchanged). */
export const STATUS_AFTER: Record<string, string> = { pause: 'paused', quarantine: 'quarantined', resume: 'idle' };

export function createCommandStore(options: { now?: () => number; answerWithin?: number } = {}) {
  const now = options.now ?? Date.now;
  const answerWithin = options.answerWithin ?? 10_000;
  let seq = 0;
  return createStore<CommandsState>()((set, get) => {
    const update = (key: string, change: Partial<SentCommand>) =>
      set({ sent: get().sent.map((c) => (c.key === key ? { ...c, ...change } : c)) });
    return {
      sent: [],
      start(agentId, type) {
        const key = `local-${++seq}`;
        // Only the latest few are worth showing.
        set({ sent: [...get().sent.slice(-9), {
          key, agentId, type, commandId: null, phase: 'sending', reason: null, startedAt: now(), agentConnected: null,
        }] });
        return key;
      },
      recorded(key, commandId, agentConnected) {
        const c = get().sent.find((x) => x.key === key);
        if (c && c.phase === 'sending') update(key, { commandId, agentConnected, phase: 'pending' });
      },
      failed(key, reason) {
        update(key, { phase: 'rolled-back', reason });
      },
      observe(events) {
        for (const e of events) {
          if (e.type !== 'command.acknowledged') continue;
          const id = String(e.data?.commandId ?? e.parentId ?? '');
          const c = get().sent.find((x) => x.commandId === id && (x.phase === 'pending' || x.phase === 'sending'));
          if (!c) continue;
          if (e.data?.outcome === 'applied') update(c.key, { phase: 'applied' });
          else update(c.key, { phase: 'rolled-back', reason: `${c.agentId} rejected it: ${String(e.data?.reason ?? 'no reason given')}` });
        }
      },
      expire() {
        const t = now();
        for (const c of get().sent) {
          if ((c.phase === 'pending' || c.phase === 'sending') && t - c.startedAt >= answerWithin) {
            const secs = Math.round(answerWithin / 1000);
            update(c.key, {
              phase: 'rolled-back',
              reason: c.agentConnected === false
                ? `${c.agentId} is not connected and did not answer within ${secs} s. The server keeps the command for 15 minutes and delivers it if the agent says hello.`
                : `${c.agentId} did not answer within ${secs} s.`,
            });
          }
        }
      },
      dismiss(key) {
        set({ sent: get().sent.filter((c) => c.key !== key) });
      },
    };
  });
}

export type CommandStore = ReturnType<typeof createCommandStore>;

/** The status an agent shows while a command sent from this page is on its way, or null. */
export function optimisticStatus(sent: SentCommand[], agentId: string): string | null {
  for (let i = sent.length - 1; i >= 0; i--) {
    const c = sent[i];
    if (c.agentId !== agentId) continue;
    if (c.phase === 'sending' || c.phase === 'pending') return STATUS_AFTER[c.type] ?? null;
    return null;
  }
  return null;
}
