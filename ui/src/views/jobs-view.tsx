/**
 * Jobs: newest first, live (polled), filtered by the API (`GET /v1/jobs?status=&q=&preset=&tag=`);
 * cursor paging; cancel and retry. Cost and
 * run time are in each job's summary (one request per poll, whatever the page size).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JobSummary } from '../../../lambdas/contracts/api.ts';
import { api, messageOf } from '../api.ts';
import { needsSignIn, useAuth } from '../components/shell-auth.ts';
import { isCancellable, isRetryable, isTerminalStatus, JOB_STATUSES } from '../../../lambdas/contracts/job-statuses.ts';
import { baseName, ErrorNote, PageHead, ProgressBar, StatusBadge } from '../components/shell-bits.tsx';
import { usePoll } from '../hooks.ts';
import { formatDuration, formatRelative, formatTime, formatUsd } from '../lib/format.ts';
import { navigate, queryOf, usePath } from '../router.ts';

interface JobPage {
  jobs: JobSummary[];
  nextCursor: string | null;
}

const PAGE_SIZES = [20, 50, 100];

/** Wall time: start (or submit) to end, or to now while it runs. */
function tookSec(j: JobSummary, now: number): number | null {
  const start = j.startedAt ?? j.createdAt;
  const end = j.endedAt ?? (isTerminalStatus(j.status) ? j.updatedAt : null);
  const t0 = Date.parse(start);
  if (!Number.isFinite(t0)) return null;
  return ((end ? Date.parse(end) : now) - t0) / 1000;
}

function costOf(j: JobSummary): string {
  if (j.cost.actualUsd !== null) return formatUsd(j.cost.actualUsd);
  if (j.cost.estimatedUsd !== null) return `~${formatUsd(j.cost.estimatedUsd)}`;
  return '—';
}

function tagsText(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** `key=value` or `key` (any value) or free text matched against tag keys and values. */
export function JobsView() {
  const path = usePath();
  const auth = useAuth();
  const q = queryOf(path);
  const status = q.get('status') ?? '';
  const search = q.get('q') ?? '';
  const preset = q.get('preset') ?? '';
  const tag = q.get('tag') ?? '';
  const limit = PAGE_SIZES.includes(Number(q.get('limit'))) ? Number(q.get('limit')) : 20;
  // Cursors of the pages before this one (Back), and this page's.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const setQuery = (changes: Record<string, string>) => {
    const next = new URLSearchParams(q);
    for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
    const s = next.toString();
    navigate(`/jobs${s ? `?${s}` : ''}`, { replace: true });
  };
  // A new filter starts at the first page.
  useEffect(() => setCursors([null]), [status, limit, search, preset, tag]);

  const list = usePoll(
    () => {
      const params = new URLSearchParams({ limit: String(limit) });
      if (status) params.set('status', status);
      if (search.trim()) params.set('q', search.trim());
      if (preset) params.set('preset', preset);
      if (tag.trim()) params.set('tag', tag.trim());
      if (cursor) params.set('cursor', cursor);
      return api.get<JobPage>(`/v1/jobs?${params}`);
    },
    2000,
    [status, limit, cursor, search, preset, tag],
  );
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  // Every filter is the API's (GET /v1/jobs?status=&q=&preset=&tag=): pages hold matching jobs only.
  const shown = list.data?.jobs ?? [];
  const presets = useMemo(() => [...new Set(['default', 'draft', ...shown.map((j) => j.preset), ...(preset ? [preset] : [])])].sort(), [shown, preset]);

  const act = async (id: string, what: 'cancel' | 'retry') => {
    setBusy(`${what}:${id}`);
    setActionError(null);
    try {
      await api.post(`/v1/jobs/${encodeURIComponent(id)}/${what}`);
      list.refresh();
    } catch (e) {
      if (needsSignIn(e)) auth.expired();
      setActionError(`${what === 'cancel' ? 'Cancel' : 'Retry'} of ${id}: ${messageOf(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const filtered = search || preset || tag;
  return (
    <section aria-labelledby="jobs-title">
      <PageHead title="Jobs">
        <a class="s-button s-primary" href="/jobs/new">
          New job
        </a>
      </PageHead>
      <form class="s-filters" role="search" aria-label="Filter jobs" onSubmit={(e) => e.preventDefault()}>
        <div class="s-field">
          <label for="f-status">Status</label>
          <select id="f-status" value={status} onChange={(e) => setQuery({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            {JOB_STATUSES.map((s) => (
              <option value={s} key={s}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <div class="s-field s-grow">
          <label for="f-q">Search id or name</label>
          <input id="f-q" type="search" value={search} placeholder="e.g. movie.mov (case-sensitive)" onInput={(e) => setQuery({ q: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="s-field">
          <label for="f-preset">Preset</label>
          <select id="f-preset" value={preset} onChange={(e) => setQuery({ preset: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            {presets.map((p) => (
              <option value={p} key={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div class="s-field">
          <label for="f-tag">Tag</label>
          <input id="f-tag" type="search" value={tag} placeholder="key=value" onInput={(e) => setQuery({ tag: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="s-field">
          <label for="f-limit">Per page</label>
          <select id="f-limit" value={String(limit)} onChange={(e) => setQuery({ limit: (e.target as HTMLSelectElement).value === '20' ? '' : (e.target as HTMLSelectElement).value })}>
            {PAGE_SIZES.map((n) => (
              <option value={String(n)} key={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNote error={list.error} />
      <ErrorNote error={actionError} />
      {list.loading && !list.data ? (
        <p class="s-muted">Loading jobs…</p>
      ) : shown.length === 0 ? (
        <div class="s-panel s-empty">
          {filtered || status ? (
            <p>No job matches the filters.</p>
          ) : (
            <p>
              No jobs yet. <a href="/jobs/new">Upload a video</a> to start one.
            </p>
          )}
        </div>
      ) : (
        <div class="s-table-wrap">
          <table class="s-table s-jobs">
            <caption class="s-sr">
              Jobs{status ? ` with status ${status}` : ''}, newest first{filtered ? ', filtered' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">ETA</th>
                <th scope="col">Preset</th>
                <th scope="col">Took</th>
                <th scope="col">Cost</th>
                <th scope="col">
                  <span class="s-sr">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((j) => {
                const running = !isTerminalStatus(j.status);
                return (
                  <tr key={j.id} class={`s-row-${j.status.toLowerCase()}`}>
                    <td data-label="Job" class="s-jobcell">
                      <a href={`/jobs/${encodeURIComponent(j.id)}`} class="s-joblink">
                        {baseName(j.sourceKey)}
                      </a>
                      <span class="s-muted s-mono" title={`submitted ${formatTime(j.createdAt)}`}>
                        {j.workflow && j.workflow !== 'encode' ? `${j.workflow} · ` : ''}
                        {j.id} · {formatRelative(j.createdAt, now)}
                      </span>
                      {Object.keys(j.tags).length ? <span class="s-tags">{tagsText(j.tags)}</span> : null}
                      {j.error ? <span class="s-row-error">{j.error.message}</span> : null}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={j.status} />
                    </td>
                    <td data-label="Progress">
                      <ProgressBar percent={j.progress.percent} label={`progress of ${baseName(j.sourceKey)}`} active={j.status === 'RUNNING'} />
                    </td>
                    <td data-label="ETA">{running && j.progress.etaSec !== null ? formatDuration(j.progress.etaSec) : '—'}</td>
                    <td data-label="Preset">{j.preset}</td>
                    <td data-label="Took">{formatDuration(tookSec(j, now))}</td>
                    <td data-label="Cost" title={j.cost.actualUsd === null && j.cost.estimatedUsd !== null ? 'estimated' : undefined}>
                      {costOf(j)}
                    </td>
                    <td class="s-actions">
                      {isCancellable(j.status) ? (
                        <button type="button" onClick={() => void act(j.id, 'cancel')} disabled={busy !== null} aria-label={`Cancel job ${j.id}`}>
                          {busy === `cancel:${j.id}` ? 'Cancelling…' : 'Cancel'}
                        </button>
                      ) : null}
                      {isRetryable(j.status) ? (
                        <button type="button" onClick={() => void act(j.id, 'retry')} disabled={busy !== null} aria-label={`Retry job ${j.id}`}>
                          {busy === `retry:${j.id}` ? 'Retrying…' : 'Retry'}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav class="s-pager" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <span class="s-muted">Page {cursors.length}</span>
        <button type="button" disabled={!list.data?.nextCursor} onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data!.nextCursor])}>
          Older
        </button>
      </nav>
    </section>
  );
}
