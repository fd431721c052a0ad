/** Small pieces the shell's views share: status badge, progress bar, error note, time-range names. */
import type { ComponentChildren } from 'preact';

const STATUS_LABEL: Record<string, string> = { QUEUED: 'Queued', RUNNING: 'Running', SUCCEEDED: 'Succeeded', FAILED: 'Failed', CANCELLED: 'Cancelled' };

export function StatusBadge(props: { status: string }) {
  return <span class={`s-badge s-badge-${props.status.toLowerCase()}`}>{STATUS_LABEL[props.status] ?? props.status}</span>;
}

export function ProgressBar(props: { percent: number; label: string; active?: boolean }) {
  const p = Math.max(0, Math.min(100, props.percent));
  return (
    <div class={`s-progress${props.active ? ' s-progress-active' : ''}`} role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(p)}>
      <div class="s-progress-fill" style={{ width: `${p}%` }} />
      <span class="s-progress-text">{Math.round(p)}%</span>
    </div>
  );
}

/** An error as the API said it (role=alert so screen readers hear it). */
export function ErrorNote(props: { error: string | null | undefined; children?: ComponentChildren }) {
  if (!props.error) return null;
  return (
    <div class="s-error" role="alert">
      {props.error}
      {props.children}
    </div>
  );
}

/** A page's title row with its actions. */
export function PageHead(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="s-pagehead">
      <h1>{props.title}</h1>
      {props.children ? <div class="s-pagehead-actions">{props.children}</div> : null}
    </div>
  );
}


/** The last path segment of a key, the name people recognise (`uploads/ab12/movie.mov` → `movie.mov`). */
export const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1) || key;
