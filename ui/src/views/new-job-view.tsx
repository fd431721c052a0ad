/**
 * New job: drop a video (or pick one), watch it upload (the ticket's PUT, with progress), see
 * what the job would do (`POST /v1/jobs/preflight`: ladder, chunks, tasks, estimated cost and
 * time, or why it would fail), choose the options and submit (`POST /v1/jobs`) → the job's page.
 *
 * Length: ≈440 lines: one view whose steps (upload, preflight, options, submit) share one state;
 * its preflight panel and helpers are used nowhere else.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JobView, PreflightResult, UploadTicket } from '../../../lambdas/contracts/api.ts';
import { api, ApiError, messageOf } from '../api.ts';
import { needsSignIn, useAuth } from '../components/shell-auth.ts';
import { ErrorNote, PageHead, ProgressBar } from '../components/shell-bits.tsx';
import { formatBytes, formatDuration, formatKbps, formatUsd } from '../lib/format.ts';
import { navigate } from '../router.ts';

/** Presets the API is known to have; a 400 naming the known ones replaces the list. */
let knownPresets = ['default', 'draft'];

type Upload =
  | { phase: 'idle' }
  | { phase: 'uploading'; file: File; loaded: number; abort: () => void }
  | { phase: 'done'; file: File; key: string }
  | { phase: 'failed'; file: File; error: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Where to PUT: the ticket's URL, except that a local server's own upload URL is sent to the
 * origin this page came from (the same server reached as `localhost` rather than `127.0.0.1`),
 * so the PUT stays same-origin.
 */
function uploadUrl(ticketUrl: string): string {
  try {
    const u = new URL(ticketUrl, location.href);
    if (u.origin !== location.origin && LOOPBACK.has(u.hostname) && LOOPBACK.has(location.hostname) && u.port === location.port && u.pathname.startsWith('/uploads/'))
      return `${location.origin}${u.pathname}${u.search}`;
    return u.href;
  } catch {
    return ticketUrl;
  }
}

/** Uploads through a ticket: POST /v1/uploads, then the PUT with progress (XMLHttpRequest: fetch has no upload progress). */
async function upload(file: File, onProgress: (loaded: number) => void, setAbort: (abort: () => void) => void): Promise<string> {
  const ticket = await api.post<UploadTicket>('/v1/uploads', { filename: file.name.replace(/[/\\\0]/g, '_') || 'source', bytes: file.size, contentType: file.type || 'application/octet-stream' });
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    setAbort(() => xhr.abort());
    xhr.open(ticket.method, uploadUrl(ticket.url));
    for (const [k, v] of Object.entries(ticket.headers)) if (k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'host') xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let message = `the upload answered ${xhr.status}`;
      try {
        const body = JSON.parse(xhr.responseText) as { error?: { message?: string } };
        if (body.error?.message) message = body.error.message;
      } catch {
        // S3 answers XML; the status says enough.
      }
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error('the upload failed (network error or the URL refused the request)'));
    xhr.onabort = () => reject(new Error('the upload was cancelled'));
    xhr.send(file);
  });
  return ticket.key;
}

interface Options {
  preset: string;
  priority: number;
  deadlineMin: string;
  hls: boolean;
  dash: boolean;
  thumbnails: boolean;
  quality: boolean;
  captionsKey: string;
  captionsLanguage: string;
  captionsLabel: string;
  webhookUrl: string;
  tags: string;
}

const DEFAULTS: Options = {
  preset: 'default',
  priority: 50,
  deadlineMin: '',
  hls: true,
  dash: true,
  thumbnails: true,
  quality: true,
  captionsKey: '',
  captionsLanguage: 'en',
  captionsLabel: 'English',
  webhookUrl: '',
  tags: '',
};

function specOf(key: string, o: Options): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    source: { key },
    preset: o.preset,
    priority: o.priority,
    outputs: { hls: o.hls, dash: o.dash, thumbnails: o.thumbnails, quality: o.quality },
  };
  const deadline = Number(o.deadlineMin);
  if (o.deadlineMin.trim() && Number.isFinite(deadline) && deadline > 0) spec.deadlineSec = Math.round(deadline * 60);
  if (o.webhookUrl.trim()) spec.webhook = { url: o.webhookUrl.trim() };
  if (o.captionsKey.trim()) spec.captions = [{ key: o.captionsKey.trim(), language: o.captionsLanguage.trim(), label: o.captionsLabel.trim() }];
  const tags: Record<string, string> = {};
  for (const part of o.tags.split(',')) {
    const [k, ...rest] = part.split('=');
    if (k?.trim()) tags[k.trim()] = rest.join('=').trim();
  }
  if (Object.keys(tags).length) spec.tags = tags;
  return spec;
}

/** The API's message, with the fields a 400 names. */
function problemOf(e: unknown): string {
  if (e instanceof ApiError && e.details && typeof e.details === 'object') {
    const d = e.details as { known?: unknown; issues?: { path: string; message: string }[] };
    if (Array.isArray(d.known) && d.known.every((x) => typeof x === 'string')) knownPresets = d.known as string[];
    if (Array.isArray(d.issues) && d.issues.length > 1) return `${e.message} (${d.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`;
  }
  return messageOf(e);
}

function Preflight(props: { result: PreflightResult | null; error: string | null; busy: boolean }) {
  const r = props.result;
  return (
    <section class="s-panel" aria-labelledby="pf-title" aria-busy={props.busy}>
      <h2 id="pf-title">What the job would do</h2>
      {props.busy && !r ? <p class="s-muted">Checking the source…</p> : null}
      <ErrorNote error={props.error} />
      {r && !r.accepted ? (
        <div class="s-error" role="alert">
          <strong>This job would fail:</strong>
          <ul>
            {r.reasons.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {r?.source ? (
        <p>
          Source: {r.source.video.width}×{r.source.video.height}, {r.source.video.fps.toFixed(2).replace(/\.?0+$/, '')} fps, {formatDuration(r.source.durationSec)},{' '}
          {r.source.video.codec}
          {r.source.audio ? ` + ${r.source.audio.codec} ${r.source.audio.channels} ch` : ', no audio'}, {formatBytes(r.source.sizeBytes)}
          {r.source.notes.length ? ` (${r.source.notes.join('; ')})` : ''}
        </p>
      ) : null}
      {r?.plan ? (
        <>
          <div class="s-tiles">
            <div class="s-tile">
              <span class="s-tile-label">Estimated cost (AWS)</span>
              <span class="s-tile-value">{r.estimate ? formatUsd(r.estimate.estimatedUsd) : '—'}</span>
            </div>
            <div class="s-tile">
              <span class="s-tile-label">Estimated encode time</span>
              <span class="s-tile-value">{r.estimate ? formatDuration(r.estimate.estimatedSeconds) : '—'}</span>
            </div>
            <div class="s-tile">
              <span class="s-tile-label">Chunks</span>
              <span class="s-tile-value">{r.plan.chunks.count}</span>
            </div>
            <div class="s-tile">
              <span class="s-tile-label">Tasks</span>
              <span class="s-tile-value">{Object.values(r.plan.tasks).reduce((a, b) => a + b, 0)}</span>
            </div>
          </div>
          {r.estimate ? (
            <p class="s-muted">
              {r.estimate.reason} ({r.estimate.region}, prices of {r.estimate.pricesTakenOn}; chunks of {formatDuration(r.estimate.chunkSeconds)})
            </p>
          ) : (
            <p class="s-muted">No estimate: {r.estimateUnavailableReason ?? 'unavailable'}</p>
          )}
          <div class="s-table-wrap">
            <table class="s-table">
              <caption>
                Ladder ({r.plan.preset.name} v{r.plan.preset.version}, {r.plan.segmentSeconds} s segments)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Rendition</th>
                  <th scope="col">Size</th>
                  <th scope="col">Bitrate</th>
                </tr>
              </thead>
              <tbody>
                {r.plan.rungs.map((g) => (
                  <tr key={g.id}>
                    <td data-label="Rendition">{g.id}</td>
                    <td data-label="Size">
                      {g.width}×{g.height}
                    </td>
                    <td data-label="Bitrate">{formatKbps(g.bitrateKbps)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="s-muted">
            Tasks: {r.plan.tasks.encodeVideo} video encodes, {r.plan.tasks.encodeAudio} audio, {r.plan.tasks.assemble} assemble, {r.plan.tasks.measureQuality} quality,{' '}
            {r.plan.tasks.package} package, {r.plan.tasks.thumbnails} thumbnails; up to {r.plan.maxConcurrency} at once.
          </p>
        </>
      ) : null}
    </section>
  );
}

export function NewJobView() {
  const auth = useAuth();
  const [up, setUp] = useState<Upload>({ phase: 'idle' });
  const [drag, setDrag] = useState(false);
  const [o, setO] = useState<Options>(DEFAULTS);
  const [presets, setPresets] = useState(knownPresets);
  const [pf, setPf] = useState<PreflightResult | null>(null);
  const [pfError, setPfError] = useState<string | null>(null);
  const [pfBusy, setPfBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [captionUpload, setCaptionUpload] = useState<string | null>(null);
  // One submission per form: a double click or a retry after a lost answer gives the same job.
  const idempotencyKey = useRef(`ui-${crypto.randomUUID()}`);
  const fileInput = useRef<HTMLInputElement>(null);
  const key = up.phase === 'done' ? up.key : null;
  const set = <K extends keyof Options>(k: K, v: Options[K]) => setO((x) => ({ ...x, [k]: v }));

  const start = (file: File | undefined) => {
    if (!file || up.phase === 'uploading') return;
    setPf(null);
    setPfError(null);
    setSubmitError(null);
    idempotencyKey.current = `ui-${crypto.randomUUID()}`;
    let abort = () => {};
    setUp({ phase: 'uploading', file, loaded: 0, abort: () => abort() });
    upload(
      file,
      (loaded) => setUp((u) => (u.phase === 'uploading' && u.file === file ? { ...u, loaded } : u)),
      (a) => (abort = a),
    ).then(
      (k) => setUp({ phase: 'done', file, key: k }),
      (e: unknown) => {
        if (needsSignIn(e)) auth.expired();
        setUp({ phase: 'failed', file, error: problemOf(e) });
      },
    );
  };

  // Preflight again when the source or an option that changes the plan changes (debounced while typing).
  const planKey = key ? JSON.stringify(specOf(key, o)) : null;
  useEffect(() => {
    if (!key || !planKey) return;
    let alive = true;
    setPfBusy(true);
    const t = setTimeout(() => {
      api.post<PreflightResult>('/v1/jobs/preflight', JSON.parse(planKey)).then(
        (r) => {
          if (!alive) return;
          setPf(r);
          setPfError(null);
          setPfBusy(false);
        },
        (e: unknown) => {
          if (!alive) return;
          if (needsSignIn(e)) auth.expired();
          setPf(null);
          setPfError(problemOf(e));
          setPresets(knownPresets);
          setPfBusy(false);
        },
      );
    }, 400);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [planKey]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!key) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const job = await api.post<JobView>('/v1/jobs', specOf(key, o), { headers: { 'idempotency-key': idempotencyKey.current } });
      navigate(`/jobs/${encodeURIComponent(job.id)}`);
    } catch (err) {
      if (needsSignIn(err)) auth.expired();
      setSubmitError(problemOf(err));
      setPresets(knownPresets);
    } finally {
      setSubmitting(false);
    }
  };

  const uploadCaptions = (file: File | undefined) => {
    if (!file) return;
    setCaptionUpload(`uploading ${file.name}…`);
    upload(file, () => {}, () => {}).then(
      (k) => {
        set('captionsKey', k);
        setCaptionUpload(null);
      },
      (err: unknown) => setCaptionUpload(`captions upload failed: ${problemOf(err)}`),
    );
  };

  const file = up.phase === 'idle' ? null : up.file;
  return (
    <section>
      <PageHead title="New job" />
      <div
        class={`s-drop${drag ? ' s-drop-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setDrag(true);
        }}
        onDragLeave={() => setDrag(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDrag(false);
          start(e.dataTransfer?.files?.[0]);
        }}
      >
        <p class="s-drop-title">Drop a video here</p>
        <p class="s-muted">or</p>
        <label for="nj-file" class="s-button">
          Choose a video file
        </label>
        <input
          id="nj-file"
          ref={fileInput}
          class="s-file"
          type="file"
          accept="video/*,.mov,.mp4,.m4v,.mkv,.webm,.mxf,.avi"
          disabled={up.phase === 'uploading'}
          onChange={(e) => {
            start((e.target as HTMLInputElement).files?.[0]);
            (e.target as HTMLInputElement).value = '';
          }}
        />
        {file ? (
          <div class="s-upload" aria-live="polite">
            <p>
              <strong>{file.name}</strong> ({formatBytes(file.size)}){' '}
              {up.phase === 'done' ? '— uploaded' : up.phase === 'uploading' ? '— uploading' : ''}
            </p>
            <ProgressBar
              percent={up.phase === 'uploading' ? (file.size ? (up.loaded / file.size) * 100 : 0) : up.phase === 'done' ? 100 : 0}
              label={`upload of ${file.name}`}
              active={up.phase === 'uploading'}
            />
            {up.phase === 'uploading' ? (
              <button type="button" onClick={up.abort}>
                Cancel upload
              </button>
            ) : null}
            {up.phase === 'failed' ? <ErrorNote error={up.error} /> : null}
          </div>
        ) : null}
      </div>

      {key ? <Preflight result={pf} error={pfError} busy={pfBusy} /> : null}

      <form class="s-panel s-form" onSubmit={submit} aria-labelledby="nj-options">
        <h2 id="nj-options">Options</h2>
        <div class="s-grid">
          <div class="s-field">
            <label for="nj-preset">Preset</label>
            <select id="nj-preset" value={o.preset} onChange={(e) => set('preset', (e.target as HTMLSelectElement).value)}>
              {[...new Set([...presets, o.preset])].map((p) => (
                <option value={p} key={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div class="s-field">
            <label for="nj-priority">Priority (0–100)</label>
            <input id="nj-priority" type="number" min={0} max={100} step={1} value={o.priority} onInput={(e) => set('priority', Math.max(0, Math.min(100, Math.round(Number((e.target as HTMLInputElement).value) || 0))))} />
          </div>
          <div class="s-field">
            <label for="nj-deadline">Deadline (minutes from now, optional)</label>
            <input id="nj-deadline" type="number" min={1} step={1} value={o.deadlineMin} onInput={(e) => set('deadlineMin', (e.target as HTMLInputElement).value)} />
          </div>
          <div class="s-field">
            <label for="nj-tags">Tags (key=value, comma separated)</label>
            <input id="nj-tags" type="text" value={o.tags} placeholder="title=trailer, team=web" onInput={(e) => set('tags', (e.target as HTMLInputElement).value)} />
          </div>
        </div>
        <fieldset class="s-checks">
          <legend>Outputs</legend>
          {(['hls', 'dash', 'thumbnails', 'quality'] as const).map((k) => (
            <label key={k}>
              <input type="checkbox" checked={o[k]} onChange={(e) => set(k, (e.target as HTMLInputElement).checked)} />{' '}
              {k === 'hls' ? 'HLS' : k === 'dash' ? 'DASH' : k === 'thumbnails' ? 'Thumbnails' : 'Quality report (PSNR, SSIM, VMAF)'}
            </label>
          ))}
        </fieldset>
        <fieldset class="s-grid">
          <legend>Captions (optional)</legend>
          <div class="s-field">
            <label for="nj-cap-file">Upload an SRT or WebVTT file</label>
            <input id="nj-cap-file" type="file" accept=".srt,.vtt,text/vtt,application/x-subrip" onChange={(e) => uploadCaptions((e.target as HTMLInputElement).files?.[0])} />
            {captionUpload ? <span class="s-muted">{captionUpload}</span> : null}
          </div>
          <div class="s-field">
            <label for="nj-cap-key">Captions key</label>
            <input id="nj-cap-key" type="text" value={o.captionsKey} placeholder="uploads/…/captions.vtt" onInput={(e) => set('captionsKey', (e.target as HTMLInputElement).value)} />
          </div>
          <div class="s-field">
            <label for="nj-cap-lang">Language</label>
            <input id="nj-cap-lang" type="text" value={o.captionsLanguage} onInput={(e) => set('captionsLanguage', (e.target as HTMLInputElement).value)} />
          </div>
          <div class="s-field">
            <label for="nj-cap-label">Label</label>
            <input id="nj-cap-label" type="text" value={o.captionsLabel} onInput={(e) => set('captionsLabel', (e.target as HTMLInputElement).value)} />
          </div>
        </fieldset>
        <div class="s-field">
          <label for="nj-webhook">Webhook URL (optional)</label>
          <input id="nj-webhook" type="url" value={o.webhookUrl} placeholder="https://example.com/mosaic-hook" onInput={(e) => set('webhookUrl', (e.target as HTMLInputElement).value)} />
        </div>
        <ErrorNote error={submitError} />
        <div class="s-form-actions">
          <button type="submit" class="s-primary" disabled={!key || submitting || (pf !== null && !pf.accepted)}>
            {submitting ? 'Submitting…' : 'Submit job'}
          </button>
          {!key ? <span class="s-muted">Upload a video first.</span> : pf && !pf.accepted ? <span class="s-muted">The preflight says this job would fail.</span> : null}
        </div>
      </form>
    </section>
  );
}

