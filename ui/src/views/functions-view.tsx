/**
 * Functions: every media function (`GET /v1/functions`); for the chosen one its function.json,
 * recent runs across jobs and their p50/p99 (`GET /v1/functions/{name}`), and a form that runs it
 * once on a pasted JSON input (`POST /v1/functions/{name}/invocations` with `{ input }`), showing
 * the result or the API's own error message. On AWS the API lists no runs and says why.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { FunctionInfo } from '../../../lambdas/contracts/api.ts';
import type { FunctionDetail } from '../../../lambdas/contracts/rules-api.ts';
import { api, ApiError, messageOf } from '../api.ts';
import { ErrorNote, PageHead } from '../components/shell-bits.tsx';
import { usePoll } from '../hooks.ts';
import { formatMs, formatRelative, formatTime, formatUsd } from '../lib/format.ts';

interface InvocationResult {
  function: string;
  invocationId: string;
  durationMs: number;
  result: unknown;
}

const PRE = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0, maxHeight: '24rem', overflow: 'auto' } as const;

/** A starting input per function: what its input needs most (the platform fills `jobId`). */
const EXAMPLE_INPUT: Record<string, unknown> = {
  inspect: { itemId: 'source', source: { key: 'uploads/<id>/movie.mp4' }, limits: { maxBytes: 53687091200, maxDurationSec: 21600 } },
};
const exampleFor = (name: string): string => JSON.stringify(EXAMPLE_INPUT[name] ?? {}, null, 2);

export function FunctionsView() {
  const list = usePoll(() => api.get<{ functions: FunctionInfo[] }>('/v1/functions'), 60_000);
  const [chosen, setChosen] = useState<string | null>(null);
  const functions = list.data?.functions ?? [];
  const selected = chosen ?? functions[0]?.name ?? null;

  return (
    <div>
      <PageHead title="Functions" />
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <p class="s-muted">Loading functions…</p> : null}
      {list.data && functions.length === 0 ? <p class="s-muted s-empty">No media functions are deployed.</p> : null}
      {functions.length ? (
        <div class="s-table-wrap">
          <table class="s-table">
            <caption>Media functions</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Version</th>
                <th scope="col">Platforms</th>
                <th scope="col">Cached</th>
                <th scope="col">
                  <span class="s-sr">Show</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {functions.map((f) => (
                <tr key={f.name} data-testid="function-row" data-function={f.name} class={f.name === selected ? "s-selected" : undefined}>
                  <th scope="row">
                    <code>{f.name}</code>
                  </th>
                  <td>{f.description}</td>
                  <td>{f.version}</td>
                  <td>
                    {f.platforms.map((p) => (p === f.defaultPlatform ? `${p} (default)` : p)).join(', ')}
                  </td>
                  <td>{f.cacheable ? 'yes' : 'no'}</td>
                  <td>
                    <button type="button" aria-pressed={f.name === selected} aria-controls="function-detail" onClick={() => setChosen(f.name)}>
                      {f.name === selected ? 'Shown' : 'Show'}
                      <span class="s-sr"> {f.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {selected ? <FunctionDetailPanel key={selected} name={selected} /> : null}
    </div>
  );
}

function FunctionDetailPanel(props: { name: string }) {
  const { name } = props;
  const detail = usePoll(() => api.get<FunctionDetail>(`/v1/functions/${encodeURIComponent(name)}`), 10_000, [name]);
  const d = detail.data;
  return (
    <section id="function-detail" class="s-panel" aria-labelledby="function-detail-title">
      <h2 id="function-detail-title">
        <code>{name}</code>
      </h2>
      <ErrorNote error={detail.error} />
      {d ? (
        <>
          <ConfigList config={d.config} />
          <p>
            Duration of the last {d.durationMs.count} succeeded run{d.durationMs.count === 1 ? '' : 's'}: <strong>p50 {formatMs(d.durationMs.p50)}</strong>,{' '}
            <strong>p99 {formatMs(d.durationMs.p99)}</strong>
          </p>
          <RecentRuns detail={d} />
        </>
      ) : detail.loading ? (
        <p class="s-muted">Loading…</p>
      ) : null}
      <InvokeForm name={name} onDone={detail.refresh} />
    </section>
  );
}

function ConfigList(props: { config: FunctionDetail['config'] }) {
  const c = props.config;
  const rows: [string, string][] = [
    ['Description', c.description],
    ['Version', String(c.version)],
    ['Memory', `${c.memoryMiB} MiB`],
    ['Timeout', `${c.timeoutSec} s`],
    ['Ephemeral storage', `${c.ephemeralStorageMiB} MiB`],
    ['Architecture', c.architecture],
    ['Platforms', c.platforms.join(', ')],
    ['Default platform', c.defaultPlatform],
    ['Results cached', c.cacheable ? 'yes' : 'no'],
    ['Sized by the allocator', c.allocated ? 'yes' : 'no'],
  ];
  return (
    <details open>
      <summary>Configuration (function.json)</summary>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0.25rem 1rem', margin: '0.5rem 0' }}>
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt class="s-muted">{k}</dt>
            <dd style={{ margin: 0 }}>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}

function RecentRuns(props: { detail: FunctionDetail }) {
  const { recentRuns, recentRunsUnavailableReason } = props.detail;
  if (recentRunsUnavailableReason) return <p class="s-muted">Recent runs are not available here: {recentRunsUnavailableReason}</p>;
  if (!recentRuns.length) return <p class="s-muted">No runs yet.</p>;
  return (
    <div class="s-table-wrap">
      <table class="s-table">
        <caption>Recent runs (newest first)</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Cost</th>
            <th scope="col">Ran on</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {recentRuns.map((r) => (
            <tr key={`${r.jobId}/${r.stepId}/${r.attempt}`} data-testid="function-run">
              <td>
                <a href={`/jobs/${encodeURIComponent(r.jobId)}`}>
                  <code>{r.jobId}</code>
                </a>
              </td>
              <td>
                <code>{r.stepId}</code>
                {r.attempt > 1 ? <span class="s-muted"> (attempt {r.attempt})</span> : null}
              </td>
              <td>{r.status}</td>
              <td>{formatMs(r.durationMs)}</td>
              <td>{formatUsd(r.costUsd)}</td>
              <td>{r.platform ? `${r.platform}${r.size ? ` ${r.size}` : ''}` : '—'}</td>
              <td>
                <time dateTime={r.startedAt} title={formatTime(r.startedAt)}>
                  {formatRelative(r.startedAt)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Outcome = { ok: true; value: InvocationResult } | { ok: false; message: string; issues: string[] };

/** `details.issues` of a 400 as `path: message` lines. */
const issuesOf = (e: unknown): string[] => {
  const issues = e instanceof ApiError ? (e.details as { issues?: { path?: string; message?: string }[] } | undefined)?.issues : undefined;
  return Array.isArray(issues) ? issues.map((i) => `${i.path ?? ''}: ${i.message ?? ''}`) : [];
};

function InvokeForm(props: { name: string; onDone: () => void }) {
  const { name } = props;
  const [text, setText] = useState(() => exampleFor(name));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const id = `invoke-input-${name}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (err) {
      setOutcome({ ok: false, message: `The input is not valid JSON: ${messageOf(err)}`, issues: [] });
      return;
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      setOutcome({ ok: false, message: 'The input must be a JSON object (the function\'s own input).', issues: [] });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const value = await api.post<InvocationResult>(`/v1/functions/${encodeURIComponent(name)}/invocations`, { input });
      setOutcome({ ok: true, value });
    } catch (err) {
      setOutcome({ ok: false, message: messageOf(err), issues: issuesOf(err) });
    } finally {
      setBusy(false);
      props.onDone();
    }
  };

  return (
    <form class="s-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Run {name} once</h3>
      <div class="s-field">
        <label for={id}>Input (JSON object; jobId is set by the API)</label>
        <textarea id={id} rows={8} spellcheck={false} class="s-mono" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="s-form-actions">
        <button type="submit" class="s-primary" disabled={busy}>
          {busy ? 'Running…' : `Run ${name}`}
        </button>
        <button type="button" onClick={() => setText(exampleFor(name))} disabled={busy}>
          Reset input
        </button>
      </div>
      <div aria-live="polite">
        {outcome ? (
          <div data-testid="invoke-result" data-outcome={outcome.ok ? 'ok' : 'error'}>
            {outcome.ok ? (
              <>
                <p>
                  Finished in {formatMs(outcome.value.durationMs)} <span class="s-muted">(invocation {outcome.value.invocationId})</span>
                </p>
                <pre class="s-mono" style={PRE}>
                  {JSON.stringify(outcome.value.result, null, 2)}
                </pre>
              </>
            ) : (
              <ErrorNote error={outcome.message}>
                {outcome.issues.length ? (
                  <ul>
                    {outcome.issues.map((i) => (
                      <li key={i}>{i}</li>
                    ))}
                  </ul>
                ) : null}
              </ErrorNote>
            )}
          </div>
        ) : null}
      </div>
    </form>
  );
}
