/**
 * One job: status, progress and ETA (polled every second until it is finished), cancel/retry,
 * the workflow graph with each state's status, the steps over time, the ladder and quality
 * report, the player, the cost, the history and the downloads.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { JobView as JobViewData } from '../../../lambdas/contracts/api.ts';
import { isCancellable, isRetryable, isTerminalStatus as isTerminal } from '../../../lambdas/contracts/job-statuses.ts';
import { api, messageOf } from '../api.ts';
import { CostPanel } from '../components/cost-panel.tsx';
import { EventHistory } from '../components/event-history.tsx';
import { GanttChart } from '../components/gantt-chart.tsx';
import { LadderChart } from '../components/ladder-chart.tsx';
import { Player } from '../components/player.tsx';
import { ReportTable } from '../components/report-table.tsx';
import { WorkflowGraph } from '../components/workflow-graph.tsx';
import { usePoll } from '../hooks.ts';
import { mergeEvents } from '../lib/events.ts';
import { formatDuration, formatPercent, formatRelative, formatTime } from '../lib/format.ts';
import { allocationsOf, buildGantt, type EventLike } from '../lib/gantt.ts';
import { ladderOf } from '../lib/ladder.ts';
import { useWorkflowDefinition } from './workflows-view.tsx';

/** Every job runs the encode workflow today. */
/** Jobs recorded before workflows were named are encode jobs. */
const DEFAULT_WORKFLOW = 'encode';

interface EventPage {
  events: EventLike[];
  nextAfter: number | null;
}

export function JobView(props: { id: string; navigate: (path: string) => void }) {
  const { id } = props;
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  const job = usePoll(() => api.get<JobViewData>(path), 1000, [id], (j) => isTerminal(j.status));
  const status = job.data?.status;
  const statusRef = useRef<string | undefined>(status);
  statusRef.current = status;

  // The history, fetched page by page after the last event held.
  const [events, setEvents] = useState<EventLike[]>([]);
  const after = useRef(0);
  useEffect(() => {
    setEvents([]);
    after.current = 0;
  }, [id]);
  const history = usePoll(
    async () => {
      const finishedBefore = isTerminal(statusRef.current);
      for (let i = 0; i < 50; i++) {
        const page = await api.get<EventPage>(`${path}/events?after=${after.current}&limit=1000`);
        if (page.events.length) {
          after.current = page.events[page.events.length - 1]!.id;
          setEvents((held) => mergeEvents(held, page.events));
        }
        if (page.nextAfter === null) break;
      }
      // Stop once a fetch started after the job had finished (its last events are in).
      return { done: finishedBefore };
    },
    1000,
    // Restarts when the job finishes (one last fetch, then stop) and when a retry restarts it.
    [id, isTerminal(status)],
    (r) => r.done,
  );

  // The graph of the workflow this job runs (measure, repackage, … as well as encode).
  const workflow = useWorkflowDefinition(job.data?.workflow ?? DEFAULT_WORKFLOW);
  const [action, setAction] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const act = async (verb: 'cancel' | 'retry') => {
    setAction({ busy: true, error: null });
    try {
      await api.post<JobViewData>(`${path}/${verb}`);
      setAction({ busy: false, error: null });
    } catch (e) {
      setAction({ busy: false, error: messageOf(e) });
    }
    job.refresh();
    history.refresh();
  };

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (isTerminal(status)) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [status]);

  const data = job.data;
  const gantt = useMemo(() => (data ? buildGantt(data.steps, events, { jobStart: data.startedAt ?? data.createdAt, now: data.endedAt ? Date.parse(data.endedAt) : now }) : null), [data, events, now]);
  const ladder = useMemo(() => (data ? ladderOf(data.renditions, { perTitle: data.ladderSearch }) : null), [data]);
  const allocations = useMemo(() => allocationsOf(events).length, [events]);
  const context = useMemo(() => ({ jobStatus: data?.status, allocations, ...(data?.planned ? { planned: data.planned } : {}) }), [data?.status, data?.planned, allocations]);

  if (!data) {
    return job.error ? (
      <section>
        <h1>Job {id}</h1>
        <p class="m-error" role="alert" data-testid="job-error">
          {job.error}
        </p>
        <p>
          <a href="/jobs" onClick={(e) => (e.preventDefault(), props.navigate('/jobs'))}>
            Back to jobs
          </a>
        </p>
      </section>
    ) : (
      <p class="m-muted" aria-live="polite">
        Loading job {id}…
      </p>
    );
  }

  const pct = data.progress.percent;
  const canCancel = isCancellable(data.status);
  const canRetry = isRetryable(data.status);
  const downloads = (Object.entries(data.outputs) as [string, { key: string; url: string } | null][]).filter((e): e is [string, { key: string; url: string }] => e[1] !== null);
  const DOWNLOAD_NAMES: Record<string, string> = { hls: 'HLS master playlist', dash: 'DASH manifest', poster: 'Poster', sprite: 'Thumbnail sprite', thumbnailsVtt: 'Thumbnails WebVTT', report: 'Report (JSON)' };

  return (
    <article class="m-job" data-testid="job-view" aria-labelledby="m-job-title">
      <header class="m-section">
        <p class="m-muted" style={{ margin: 0 }}>
          <a href="/jobs" onClick={(e) => (e.preventDefault(), props.navigate('/jobs'))}>
            ← Jobs
          </a>
        </p>
        <div class="m-job-header">
          <h1 id="m-job-title">Job {data.id}</h1>
          <span class={`m-badge m-status-${data.status}`} data-testid="job-status" aria-live="polite">
            {data.status}
          </span>
          <div
            class={`m-progress m-status-${isTerminal(data.status) ? data.status : 'RUNNING'}`}
            role="progressbar"
            aria-label="Job progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(pct * 10) / 10}
            aria-valuetext={`${formatPercent(pct)}${data.progress.etaSec !== null && !isTerminal(data.status) ? `, about ${formatDuration(data.progress.etaSec)} left` : ''}`}
          >
            <div style={{ width: `${Math.min(100, Math.max(0, pct))}%` }} />
          </div>
          <span data-testid="job-progress">{formatPercent(pct)}</span>
          {data.progress.etaSec !== null && !isTerminal(data.status) ? <span data-testid="job-eta">ETA {formatDuration(data.progress.etaSec)}</span> : null}
          <div class="m-actions">
            {canCancel ? (
              <button type="button" data-testid="cancel-job" disabled={action.busy} onClick={() => void act('cancel')}>
                Cancel
              </button>
            ) : null}
            {canRetry ? (
              <button type="button" data-testid="retry-job" disabled={action.busy} onClick={() => void act('retry')}>
                Retry
              </button>
            ) : null}
          </div>
        </div>
        {action.error ? (
          <p class="m-error" role="alert">
            {action.error}
          </p>
        ) : null}
        {job.error ? <p class="m-muted">Last refresh failed: {job.error} (showing the last answer)</p> : null}
        {data.error ? (
          <p class="m-error" data-testid="job-failure">
            <strong>{data.error.code}</strong>: {data.error.message}
          </p>
        ) : null}
        <dl class="m-kv">
          <dt>Workflow</dt>
          <dd data-testid="job-workflow">
            {data.workflow ?? DEFAULT_WORKFLOW}
            {data.spec.tags.of ? (
              <>
                {' '}
                of <a href={`/jobs/${encodeURIComponent(data.spec.tags.of)}`}>job {data.spec.tags.of}</a>
              </>
            ) : null}
          </dd>
          <dt>Preset</dt>
          <dd>{data.spec.preset}</dd>
          <dt>Source</dt>
          <dd>{data.spec.source.key}</dd>
          <dt>Created</dt>
          <dd title={data.createdAt}>
            {formatTime(data.createdAt)} <span class="m-muted">({formatRelative(data.createdAt, now)})</span>
          </dd>
          {data.startedAt ? (
            <>
              <dt>Ran for</dt>
              <dd>{formatDuration(((data.endedAt ? Date.parse(data.endedAt) : now) - Date.parse(data.startedAt)) / 1000)}</dd>
            </>
          ) : null}
          {Object.keys(data.spec.tags).length ? (
            <>
              <dt>Tags</dt>
              <dd>
                {Object.entries(data.spec.tags)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
              </dd>
            </>
          ) : null}
        </dl>
      </header>

      <section class="m-section" aria-labelledby="m-graph-h">
        <h2 id="m-graph-h">Workflow</h2>
        {workflow.doc ? (
          <WorkflowGraph definition={workflow.doc.definition} steps={data.steps} context={context} title={`${workflow.doc.name} workflow, states by status`} />
        ) : workflow.error ? (
          <p class="m-muted" data-testid="workflow-graph-unavailable">
            {workflow.error}
          </p>
        ) : (
          <p class="m-muted">Loading the workflow…</p>
        )}
      </section>

      <section class="m-section" aria-labelledby="m-gantt-h">
        <h2 id="m-gantt-h">Steps over time</h2>
        {gantt ? <GanttChart gantt={gantt} /> : null}
      </section>

      {data.renditions.length && ladder ? (
        <section class="m-section" aria-labelledby="m-quality-h">
          <h2 id="m-quality-h">Ladder and quality</h2>
          <LadderChart ladder={ladder} vmafUnavailableReason={data.vmafUnavailableReason} />
          {data.ladderSearch ? (
            <p class="m-muted" data-testid="ladder-search">
              Per-title ladder: {data.ladderSearch.points.length} trial encodes on {data.ladderSearch.samples.length} sample
              {data.ladderSearch.samples.length === 1 ? '' : 's'}, {data.ladderSearch.hull.length} points on the hull, {data.ladderSearch.rungs.length} rungs chosen
              {data.ladderSearch.predictedSavingPercent === null ? '' : `; predicted saving against the fixed ladder: ${data.ladderSearch.predictedSavingPercent.toFixed(1)} %`}.
            </p>
          ) : null}
          <ReportTable renditions={data.renditions} vmafUnavailableReason={data.vmafUnavailableReason} />
        </section>
      ) : null}

      {data.outputs.hls ? (
        <section class="m-section" aria-labelledby="m-player-h">
          <h2 id="m-player-h">Player</h2>
          <Player outputs={data.outputs} renditions={data.renditions} />
        </section>
      ) : null}

      <section class="m-section" aria-labelledby="m-cost-h">
        <h2 id="m-cost-h">Cost on AWS</h2>
        <CostPanel cost={data.cost} />
      </section>

      {downloads.length ? (
        <section class="m-section" aria-labelledby="m-dl-h">
          <h2 id="m-dl-h">Downloads</h2>
          <ul class="m-downloads" data-testid="downloads">
            {downloads.map(([k, link]) => (
              <li key={k}>
                <a href={link.url} download data-output={k}>
                  {DOWNLOAD_NAMES[k] ?? k}
                </a>{' '}
                <span class="m-muted">{link.key.split('/').pop()}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {data.webhook ? (
        <section class="m-section" aria-labelledby="m-hook-h">
          <h2 id="m-hook-h">Webhook</h2>
          <p>
            {data.webhook.url} <span class="m-muted">— {data.webhook.deliveries.length} deliveries ({data.webhook.deliveries.filter((d) => d.ok).length} delivered)</span>
          </p>
        </section>
      ) : null}

      <section class="m-section" aria-labelledby="m-events-h">
        <h2 id="m-events-h">History</h2>
        {history.error ? <p class="m-muted">Events: {history.error}</p> : null}
        <EventHistory events={events} />
      </section>
    </article>
  );
}
