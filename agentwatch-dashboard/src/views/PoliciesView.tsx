import { useEffect, useState, type FormEvent } from 'react';
import { FieldError, api } from '../api';
import { Empty, Loading, Problem, href, int, time, useFetch } from '../components/util';
import { useLive } from '../session';
import type { Budget, PolicyState } from '../types';
import { DETECTORS } from './AlertsView';

const REFRESH_MS = 2000;
const POLICY_DETECTORS = DETECTORS.filter((d) => d !== 'flood_control');

/** A spend as people read it. */
export function amount(metric: Budget['metric'], v: number): string {
  return metric === 'costUsd' ? `$${v.toFixed(2)}` : `${int(Math.round(v))} ${metric === 'tokens' ? 'tokens' : 'calls'}`;
}

/** How wide a bar is drawn: the share of the limit, full at the limit and beyond. */
export function barWidth(share: number): string {
  return `${Math.max(0, Math.min(1, share)) * 100}%`;
}

/** Budgets with each subject's use as a bar, and the policies with their latest actions. */
export function PoliciesView() {
  const budgets = useFetch('budgets', () => api.budgets());
  const policies = useFetch('policies', () => api.policies());
  // Spend and actions move with the stream: ask again, at most every 2 s, while model calls and commands come in.
  const activity = useLive((s) => (s.typeCounts['llm.call'] ?? 0) + (s.typeCounts['command.issued'] ?? 0)
    + (s.typeCounts['policy.matched'] ?? 0));
  const reloadBudgets = budgets.reload;
  const reloadPolicies = policies.reload;
  useEffect(() => {
    const t = setTimeout(() => { reloadBudgets(); reloadPolicies(); }, REFRESH_MS);
    return () => clearTimeout(t);
  }, [activity, reloadBudgets, reloadPolicies]);

  return (
    <div className="policies-view">
      <h2>Budgets</h2>
      <p className="muted small">Limits on model use. The <b>budget</b> detector warns at the mark and raises when a bar is full;
        a policy on <code>budget</code> can stop the spender.</p>
      {budgets.loading && !budgets.data ? <Loading what="budgets" />
        : budgets.error && !budgets.data ? <Problem error={budgets.error} retry={budgets.reload} />
          : budgets.data!.budgets.length === 0 ? <Empty>No budget yet. Add one below, e.g. $5 per run.</Empty>
            : <div className="budgets">{budgets.data!.budgets.map((b) => <BudgetCard key={b.id} budget={b} onChange={budgets.reload} />)}</div>}
      <NewBudget onCreated={budgets.reload} />

      <h2>Policies</h2>
      <p className="muted small">Automatic responses: when a detector finds something a policy matches, it pauses, quarantines or
        cancels the agents it names (enforce), or only records what it would have done (dry-run).</p>
      {policies.loading && !policies.data ? <Loading what="policies" />
        : policies.error && !policies.data ? <Problem error={policies.error} retry={policies.reload} />
          : policies.data!.policies.length === 0 ? <Empty>No policy yet. Add one below, e.g. pause the agents of a routing loop.</Empty>
            : <PolicyTable policies={policies.data!.policies} onChange={policies.reload} />}
      <NewPolicy onCreated={policies.reload} />
    </div>
  );
}

function BudgetCard({ budget: b, onChange }: { budget: Budget; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  async function remove() {
    if (!window.confirm(`Delete budget ${b.title}?`)) return;
    try {
      await api.deleteBudget(b.id);
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <div className="budget card" data-testid="budget" data-budget={b.id}>
      <div className="card-head">
        <span className="name">{b.title}</span>
        <button className="link" onClick={() => void remove()}>delete</button>
      </div>
      <div className="muted small">
        {amount(b.metric, b.limit)} per {b.per}{b.agentId ? ` ${b.agentId}` : ''}{b.runId ? ` ${b.runId}` : ''}
        {b.window ? ` per ${b.window}` : ' in total'} · warns at {Math.round(b.warnAt * 100)} % · <code>{b.id}</code>
      </div>
      {b.usage.length === 0 ? <div className="muted small">Nothing spent yet.</div> : (
        <ul className="bars">
          {b.usage.map((u) => (
            <li key={u.subject} className={`use ${u.state}`} data-testid="budget-use">
              <span className="subject">
                {b.per === 'tenant' ? 'tenant' : b.per === 'run'
                  ? <a href={href(`/run/${encodeURIComponent(u.subject)}`)}>{u.subject}</a>
                  : <a href={href(`/agent/${encodeURIComponent(u.subject)}`)}>{u.subject}</a>}
              </span>
              <span className="bar" role="meter" aria-valuemin={0} aria-valuemax={b.limit} aria-valuenow={u.spend}
                title={`${amount(b.metric, u.spend)} of ${amount(b.metric, b.limit)}`}>
                <i style={{ width: barWidth(u.share) }} />
                <b className="warn-mark" style={{ left: barWidth(b.warnAt) }} />
              </span>
              <span className="figure">{amount(b.metric, u.spend)} · {Math.round(u.share * 100)} %</span>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="error small">{error}</p>}
    </div>
  );
}

function PolicyTable({ policies, onChange }: { policies: PolicyState[]; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  async function act(run: () => Promise<unknown>) {
    setError(null);
    try {
      await run();
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <>
      <table className="grid-table policies" data-testid="policies">
        <thead><tr><th>policy</th><th>matches</th><th>action</th><th>mode</th><th>cooldown · cap</th><th>latest actions</th><th /></tr></thead>
        <tbody>
          {policies.map((p) => (
            <tr key={p.id} className={p.state === 'refused' ? 'bad' : ''}>
              <td><b>{p.title}</b><div className="muted small"><code>{p.id}</code> · v{p.version}</div>
                {p.refused && <div className="error small">refused: {p.refused}</div>}</td>
              <td>{p.match.detectors.join(', ')}<div className="muted small">severity ≥ {p.match.severity}
                {p.match.runId ? ` · run ${p.match.runId}` : ''}{p.match.agentId ? ` · agent ${p.match.agentId}` : ''}</div></td>
              <td>{p.action}{p.targets === 'first' ? ' (first agent)' : ''}</td>
              <td><span className={`mode ${p.mode}`}>{p.mode}</span></td>
              <td>{p.cooldown} · {p.cap.actions} per {p.cap.per}</td>
              <td className="actions-cell">
                {p.actions.length === 0 ? <span className="muted">none yet</span> : (
                  <ul>
                    {p.actions.slice(0, 4).map((a) => (
                      <li key={a.eventId} className={a.kind === 'command' ? 'auto-action' : 'muted'}>
                        {time(a.at)} {a.kind === 'command' ? a.type : `${a.outcome}: ${a.type}`}{' '}
                        {a.agentId && <a href={href(`/agent/${encodeURIComponent(a.agentId)}`)}>{a.agentId}</a>}
                      </li>
                    ))}
                    {p.actions.length > 4 && <li className="muted">+{p.actions.length - 4} more</li>}
                  </ul>
                )}
              </td>
              <td>
                <button className="ghost" onClick={() => void act(() => api.patchPolicy(p.id,
                  { mode: p.mode === 'enforce' ? 'dry-run' : 'enforce' }))}>
                  {p.mode === 'enforce' ? 'Switch to dry-run' : 'Enforce'}
                </button>{' '}
                <button className="link" onClick={() => void act(() => window.confirm(`Delete policy ${p.title}?`)
                  ? api.deletePolicy(p.id) : Promise.resolve())}>delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <p className="error">{error}</p>}
    </>
  );
}

/** The message of a refused definition, and the form field it names (highlighted). */
function useProblem() {
  const [problem, setProblem] = useState<{ text: string; field: string | null } | null>(null);
  const fail = (e: unknown) => setProblem({ text: (e as Error).message, field: e instanceof FieldError ? e.field : null });
  const mark = (field: string) => (problem?.field?.startsWith(field) ? 'invalid' : '');
  return { problem, setProblem, fail, mark };
}

function NewBudget({ onCreated }: { onCreated: () => void }) {
  const [metric, setMetric] = useState<Budget['metric']>('costUsd');
  const [limit, setLimit] = useState('5');
  const [per, setPer] = useState<Budget['per']>('run');
  const [span, setSpan] = useState('');
  const [warnAt, setWarnAt] = useState('0.8');
  const { problem, setProblem, fail, mark } = useProblem();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    const body: Record<string, unknown> = { metric, limit: Number(limit), per, warnAt: Number(warnAt) };
    if (span.trim()) body.window = span.trim();
    try {
      await api.createBudget(body);
      onCreated();
    } catch (err) {
      fail(err);
    }
  }
  return (
    <form className="toolbar new" onSubmit={(e) => void submit(e)} data-testid="new-budget">
      <b>New budget</b>
      <select value={metric} onChange={(e) => setMetric(e.target.value as Budget['metric'])} className={mark('metric')}>
        <option value="costUsd">cost (USD)</option><option value="tokens">tokens</option><option value="llmCalls">model calls</option>
      </select>
      <input aria-label="limit" value={limit} onChange={(e) => setLimit(e.target.value)} size={8} className={mark('limit')} />
      <span className="muted">per</span>
      <select value={per} onChange={(e) => setPer(e.target.value as Budget['per'])} className={mark('per')}>
        <option value="run">run</option><option value="agent">agent</option><option value="tenant">tenant</option>
      </select>
      <input aria-label="window" placeholder="window (e.g. 1h; empty = total)" value={span}
        onChange={(e) => setSpan(e.target.value)} size={22} className={mark('window')} />
      <span className="muted">warn at</span>
      <input aria-label="warn at" value={warnAt} onChange={(e) => setWarnAt(e.target.value)} size={4} className={mark('warnAt')} />
      <button type="submit">Add budget</button>
      {problem && <span className="error small" data-testid="budget-problem">{problem.text}</span>}
    </form>
  );
}

function NewPolicy({ onCreated }: { onCreated: () => void }) {
  const [detector, setDetector] = useState('routing_loop');
  const [severity, setSeverity] = useState('info');
  const [action, setAction] = useState('pause');
  const [mode, setMode] = useState('dry-run');
  const [cooldown, setCooldown] = useState('5m');
  const { problem, setProblem, fail, mark } = useProblem();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    try {
      await api.createPolicy({ match: { detectors: [detector], severity }, action, mode, cooldown });
      onCreated();
    } catch (err) {
      fail(err);
    }
  }
  return (
    <form className="toolbar new" onSubmit={(e) => void submit(e)} data-testid="new-policy">
      <b>New policy</b>
      <span className="muted">when</span>
      <select value={detector} onChange={(e) => setDetector(e.target.value)} className={mark('match.detectors')}>
        {POLICY_DETECTORS.map((d) => <option key={d} value={d}>{d}</option>)}
      </select>
      <span className="muted">at least</span>
      <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
        <option value="info">info</option><option value="warning">warning</option><option value="critical">critical</option>
      </select>
      <select value={action} onChange={(e) => setAction(e.target.value)} className={mark('action')}>
        <option value="pause">pause</option><option value="quarantine">quarantine</option>
        <option value="cancel">cancel the task of</option><option value="notify">only notify about</option>
      </select>
      <span className="muted">the agents it names,</span>
      <select value={mode} onChange={(e) => setMode(e.target.value)}>
        <option value="dry-run">dry-run</option><option value="enforce">enforce</option>
      </select>
      <span className="muted">cooldown</span>
      <input aria-label="cooldown" value={cooldown} onChange={(e) => setCooldown(e.target.value)} size={5} className={mark('cooldown')} />
      <button type="submit">Add policy</button>
      {problem && <span className="error small" data-testid="policy-problem">{problem.text}</span>}
    </form>
  );
}
