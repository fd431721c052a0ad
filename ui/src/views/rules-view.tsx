/**
 * Rules: every rule the engine runs (`GET /v1/rules`) with its trigger (event pattern), its
 * condition on facts and its actions; for the chosen rule its recent firings
 * (`GET /v1/rules/{name}/firings`) and a dry run on a pasted event (`POST /v1/rules/{name}/test`:
 * does it match, do its conditions hold on the current facts, what it would do — nothing runs);
 * and a lookup of the facts the rule engine keeps about a subject (`GET /v1/facts?subject=`).
 */
import { useState } from 'preact/hooks';
import type { FactsView, FiringRecord, RuleTestResult, RuleView } from '../../../lambdas/contracts/rules-api.ts';
import { api, ApiError, messageOf } from '../api.ts';
import { ErrorNote, PageHead } from '../components/shell-bits.tsx';
import { usePoll } from '../hooks.ts';
import { formatRelative, formatTime } from '../lib/format.ts';

const PRE = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0, maxHeight: '20rem', overflow: 'auto' } as const;

const Json = (props: { value: unknown; compact?: boolean }) => (
  <pre class="s-mono" style={props.compact ? { ...PRE, maxHeight: '12rem' } : PRE}>
    {JSON.stringify(props.value, null, 2)}
  </pre>
);

/** `details.issues` of a 400 as `path: message` lines. */
const issuesOf = (e: unknown): string[] => {
  const issues = e instanceof ApiError ? (e.details as { issues?: { path?: string; message?: string }[] } | undefined)?.issues : undefined;
  return Array.isArray(issues) ? issues.map((i) => `${i.path ?? ''}: ${i.message ?? ''}`) : [];
};

function Problem(props: { message: string | null; issues?: string[] }) {
  return (
    <ErrorNote error={props.message}>
      {props.issues?.length ? (
        <ul>
          {props.issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      ) : null}
    </ErrorNote>
  );
}

/** A first event to edit: the source and detail type the trigger asks for, when it names them. */
export function sampleEvent(rule: Pick<RuleView, 'on'>): Record<string, unknown> {
  const first = (v: unknown): string | undefined => (Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
  return {
    id: 'test-event-1',
    source: first(rule.on.source) ?? 'mosaic',
    'detail-type': first(rule.on['detail-type']) ?? 'Example',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    detail: {},
  };
}

const actionTarget = (a: Record<string, unknown>): string =>
  String(a.workflow ?? a.function ?? a.detailType ?? a.subject ?? '');

export function RulesView() {
  const list = usePoll(() => api.get<{ rules: RuleView[] }>('/v1/rules'), 60_000);
  const [chosen, setChosen] = useState<string | null>(null);
  const rules = list.data?.rules ?? [];
  const selected = rules.find((r) => r.name === chosen) ?? rules[0] ?? null;

  return (
    <div>
      <PageHead title="Rules" />
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <p class="s-muted">Loading rules…</p> : null}
      {list.data && rules.length === 0 ? <p class="s-muted s-empty">No rules are loaded.</p> : null}
      {rules.length ? (
        <div class="s-table-wrap">
          <table class="s-table">
            <caption>Rules ({rules.length})</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Trigger (on)</th>
                <th scope="col">Conditions (if)</th>
                <th scope="col">Actions (then)</th>
                <th scope="col">
                  <span class="s-sr">Show</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.name} data-testid="rule-row" data-rule={r.name} class={r === selected ? 's-selected' : undefined} style={{ verticalAlign: 'top' }}>
                  <th scope="row" style={{ verticalAlign: 'top' }}>
                    <code>{r.name}</code>
                    {r.enabled ? null : <span class="s-muted"> (disabled)</span>}
                    <div class="s-small s-muted" style={{ fontWeight: 400 }}>
                      {r.description}
                    </div>
                    <div class="s-small" style={{ fontWeight: 400 }}>
                      {r.bus} bus · {r.via === 'rule-engine' ? `rule engine (${r.viaReason ?? ''})` : 'EventBridge'}
                    </div>
                  </th>
                  <td style={{ verticalAlign: 'top', minWidth: '14rem' }}>
                    <Json value={r.on} compact />
                  </td>
                  <td style={{ verticalAlign: 'top' }}>
                    {r.if ? (
                      <>
                        <div class="s-small">
                          facts of <code>{r.if.subject}</code>
                        </div>
                        <Json value={r.if.facts} compact />
                      </>
                    ) : (
                      <span class="s-muted">none</span>
                    )}
                  </td>
                  <td style={{ verticalAlign: 'top' }}>
                    <ul style={{ margin: 0, paddingLeft: '1.1rem' }}>
                      {r.then.map((a, i) => (
                        <li key={i}>
                          <strong>{String(a.type)}</strong> <code>{actionTarget(a)}</code>
                        </li>
                      ))}
                    </ul>
                    <details>
                      <summary class="s-small">Actions as written</summary>
                      <Json value={{ paths: r.paths, input: r.input, then: r.then }} />
                    </details>
                  </td>
                  <td style={{ verticalAlign: 'top' }}>
                    <button type="button" aria-pressed={r === selected} aria-controls="rule-detail" onClick={() => setChosen(r.name)}>
                      {r === selected ? 'Shown' : 'Show'}
                      <span class="s-sr"> {r.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {selected ? (
        <section id="rule-detail" class="s-panel" aria-labelledby="rule-detail-title">
          <h2 id="rule-detail-title">
            <code>{selected.name}</code>
          </h2>
          <Firings key={`f-${selected.name}`} rule={selected.name} />
          <RuleTestForm key={`t-${selected.name}`} rule={selected} />
        </section>
      ) : null}
      <FactsLookup />
    </div>
  );
}

function Firings(props: { rule: string }) {
  const page = usePoll(
    () => api.get<{ rule: string; firings: FiringRecord[]; note: string | null }>(`/v1/rules/${encodeURIComponent(props.rule)}/firings?limit=20`),
    10_000,
    [props.rule],
  );
  const d = page.data;
  return (
    <div>
      <h3>Recent firings</h3>
      <ErrorNote error={page.error} />
      {d && (d.firings.length === 0 || d.note) ? <p class="s-muted">{d.note ?? 'No firings recorded yet.'}</p> : null}
      {d && d.firings.length ? (
        <div class="s-table-wrap">
          <table class="s-table">
            <caption class="s-sr">Recent firings of {props.rule}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Subject</th>
                <th scope="col">Event</th>
                <th scope="col">Firing id</th>
              </tr>
            </thead>
            <tbody>
              {d.firings.map((f) => (
                <tr key={f.id} data-testid="rule-firing">
                  <td>
                    <time dateTime={f.createdAt} title={formatTime(f.createdAt)}>
                      {formatRelative(f.createdAt)}
                    </time>
                  </td>
                  <td>{f.subject ? <code>{f.subject}</code> : <span class="s-muted">—</span>}</td>
                  <td>{f.eventId ? <code>{f.eventId}</code> : <span class="s-muted">—</span>}</td>
                  <td>
                    <code class="s-small">{f.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

type TestOutcome = { ok: true; value: RuleTestResult } | { ok: false; message: string; issues: string[] };

function parseJsonObject(text: string, what: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${what} is not valid JSON: ${messageOf(e)}` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, message: `${what} must be a JSON object` };
  return { ok: true, value: v as Record<string, unknown> };
}

function RuleTestForm(props: { rule: RuleView }) {
  const { rule } = props;
  const [eventText, setEventText] = useState(() => JSON.stringify(sampleEvent(rule), null, 2));
  const [factsText, setFactsText] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  const id = `rule-test-${rule.name}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    const event = parseJsonObject(eventText, 'The event');
    if (!event.ok) return setOutcome({ ok: false, message: event.message, issues: [] });
    let facts: Record<string, unknown> | undefined;
    if (factsText.trim()) {
      const parsed = parseJsonObject(factsText, 'The facts');
      if (!parsed.ok) return setOutcome({ ok: false, message: parsed.message, issues: [] });
      facts = parsed.value;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const value = await api.post<RuleTestResult>(`/v1/rules/${encodeURIComponent(rule.name)}/test`, { event: event.value, ...(facts ? { facts } : {}) });
      setOutcome({ ok: true, value });
    } catch (err) {
      setOutcome({ ok: false, message: messageOf(err), issues: issuesOf(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="s-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Test {rule.name} on an event (dry run: nothing runs)</h3>
      <div class="s-field">
        <label for={`${id}-event`}>Event (JSON, as EventBridge delivers it)</label>
        <textarea id={`${id}-event`} rows={10} spellcheck={false} class="s-mono" value={eventText} onInput={(e) => setEventText((e.target as HTMLTextAreaElement).value)} />
      </div>
      {rule.if ? (
        <div class="s-field">
          <label for={`${id}-facts`}>Facts by subject instead of the stored ones (optional JSON, e.g. {'{"preset:default": {"version": 2}}'})</label>
          <textarea id={`${id}-facts`} rows={4} spellcheck={false} class="s-mono" value={factsText} onInput={(e) => setFactsText((e.target as HTMLTextAreaElement).value)} />
        </div>
      ) : null}
      <div class="s-form-actions">
        <button type="submit" class="s-primary" disabled={busy}>
          {busy ? 'Testing…' : 'Test rule'}
        </button>
      </div>
      <div aria-live="polite">
        {outcome ? (
          outcome.ok ? (
            <TestAnswer result={outcome.value} />
          ) : (
            <div data-testid="rule-test-result" data-outcome="error">
              <Problem message={outcome.message} issues={outcome.issues} />
            </div>
          )
        ) : null}
      </div>
    </form>
  );
}

function TestAnswer(props: { result: RuleTestResult }) {
  const r = props.result;
  const verdict = !r.matched ? 'NO MATCH: the event does not match the trigger' : r.wouldFire ? 'MATCH: the rule would fire' : 'MATCH, but the conditions on facts do not hold: nothing would fire';
  return (
    <div data-testid="rule-test-result" data-outcome={r.wouldFire ? 'fire' : r.matched ? 'conditions-fail' : 'no-match'}>
      <p>
        <strong>{verdict}</strong>
        {r.enabled ? null : <span class="s-muted"> (the rule is disabled: tested as if enabled)</span>}
      </p>
      {r.mismatches.length ? (
        <div class="s-table-wrap">
          <table class="s-table">
            <caption>Why it does not match</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Expected</th>
                <th scope="col">The event has</th>
              </tr>
            </thead>
            <tbody>
              {r.mismatches.map((m, i) => (
                <tr key={i}>
                  <td>
                    <code>{m.field}</code>
                  </td>
                  <td>
                    <Json value={m.expected} />
                  </td>
                  <td>{m.actual === undefined ? <span class="s-muted">nothing</span> : <Json value={m.actual} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {r.conditions ? (
        <div>
          <h4>Conditions</h4>
          <p>
            Facts of <code>{r.conditions.subject}</code> ({r.conditions.factsFrom === 'store' ? 'as stored now' : 'as given'}):{' '}
            <strong>{r.conditions.held ? 'hold' : 'do not hold'}</strong>
          </p>
          {Object.keys(r.conditions.facts).length ? <Json value={r.conditions.facts} /> : <p class="s-muted">No facts recorded for it.</p>}
        </div>
      ) : null}
      {r.firings.map((f) => (
        <div key={f.id}>
          <h4>Would do{f.subject ? ` (subject ${f.subject})` : ''}</h4>
          <ol>
            {f.actions.map((a, i) => (
              <li key={i}>
                <strong>{a.type}</strong> <code>{a.target}</code>
                <Json value={a.payload} />
              </li>
            ))}
          </ol>
        </div>
      ))}
      {r.problems.length ? <Problem message="The conditions could not be evaluated" issues={r.problems} /> : null}
    </div>
  );
}

function FactsLookup() {
  const [subject, setSubject] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<FactsView | null>(null);
  const [problem, setProblem] = useState<{ message: string; issues: string[] } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      setAnswer(await api.get<FactsView>(`/v1/facts?subject=${encodeURIComponent(subject.trim())}`));
    } catch (err) {
      setAnswer(null);
      setProblem({ message: messageOf(err), issues: issuesOf(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="s-panel" aria-labelledby="facts-title">
      <h2 id="facts-title">Facts</h2>
      <form class="s-filters" onSubmit={submit} role="search" aria-label="Look up facts">
        <div class="s-field s-grow">
          <label for="facts-subject">Subject (e.g. preset:default, job:&lt;id&gt;; a * makes it a wildcard: job:*)</label>
          <input id="facts-subject" type="text" value={subject} required onInput={(e) => setSubject((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" disabled={busy || !subject.trim()}>
          {busy ? 'Looking…' : 'Look up'}
        </button>
      </form>
      {problem ? <Problem message={problem.message} issues={problem.issues} /> : null}
      <div aria-live="polite">
        {answer ? (
          answer.subjects.length === 0 ? (
            <p class="s-muted" data-testid="facts-result">
              No facts recorded for <code>{answer.subject}</code>.
            </p>
          ) : (
            <div data-testid="facts-result">
              {answer.subjects.map((s) => (
                <div key={s.subject}>
                  <h3>
                    <code>{s.subject}</code>
                  </h3>
                  <Json value={s.facts} />
                </div>
              ))}
              {answer.truncated ? <p class="s-muted">More subjects match than are shown.</p> : null}
            </div>
          )
        ) : null}
      </div>
    </section>
  );
}
