/**
 * A job's history (GET /v1/jobs/{id}/events) as lines to read: what happened, in words, and how
 * it went (for a colour). Pure; unknown event types still show, with their type.
 */
import { formatMs, formatUsd } from './format.ts';
import type { EventLike } from './gantt.ts';
import { sizeLabel } from './gantt.ts';

export interface EventLine {
  id: number;
  time: string;
  type: string;
  text: string;
  /** For colour: a status the line reports, when it has one. */
  status: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function describeEvent(e: EventLike): EventLine {
  const d = isObj(e.detail) ? e.detail : {};
  const base = { id: e.id, time: e.time, type: e.detailType };
  switch (e.detailType) {
    case 'Job Status Changed': {
      const err = isObj(d.error) ? `: ${str(d.error.code) ?? 'error'} — ${str(d.error.message) ?? ''}` : '';
      return { ...base, text: `Job ${str(d.status) ?? '?'}${err}`, status: str(d.status) };
    }
    case 'Step Status Changed': {
      const parts = [`${str(d.stepId) ?? str(d.function) ?? 'step'}`];
      if (num(d.attempt) !== null && num(d.attempt)! > 1) parts.push(`attempt ${num(d.attempt)}`);
      parts.push(str(d.status) ?? '?');
      if (num(d.durationMs) !== null) parts.push(`in ${formatMs(num(d.durationMs))}`);
      if (str(d.platform)) parts.push(`on ${str(d.platform)}${str(d.size) ? ` ${str(d.size)}` : ''}`);
      if (num(d.costUsd) !== null) parts.push(formatUsd(num(d.costUsd)));
      return { ...base, text: parts.join(' · ') + (str(d.error) ? ` — ${str(d.error)}` : ''), status: str(d.status) };
    }
    case 'Task Allocated': {
      const platform = d.platform === 'fargate' ? 'fargate' : 'lambda';
      const size = sizeLabel({ platform, vcpu: num(d.vcpu) ?? 0, memoryMiB: num(d.memoryMiB) ?? 0 });
      const est = num(d.estimatedSeconds);
      const after = str(d.after);
      const text = `${str(d.itemId) ?? 'task'} ${after ? `escalated to ${platform} ${size} after ${after}` : `sized ${platform} ${size}`}${est !== null ? ` · est. ${formatMs(est * 1000)}` : ''}${str(d.reason) ? ` — ${str(d.reason)}` : ''}`;
      return { ...base, text, status: after ? 'ESCALATED' : null };
    }
    case 'Webhook Delivery Attempted': {
      const http = num(d.httpStatus);
      const text = `Webhook ${str(d.status) ?? ''} to ${str(d.url) ?? '?'} (attempt ${num(d.attempt) ?? '?'}): ${d.ok === true ? 'delivered' : 'failed'}${http !== null ? ` HTTP ${http}` : ''}${str(d.error) ? ` — ${str(d.error)}` : ''}${num(d.nextAttemptInSec) !== null ? `, next in ${num(d.nextAttemptInSec)} s` : ''}`;
      return { ...base, text, status: d.ok === true ? 'SUCCEEDED' : 'FAILED' };
    }
    case 'Step Progress':
      return { ...base, text: `${str(d.stepId) ?? 'step'} ${Math.round((num(d.fraction) ?? 0) * 100)}%`, status: 'RUNNING' };
    default:
      return { ...base, text: JSON.stringify(e.detail)?.slice(0, 300) ?? '', status: null };
  }
}

/** Joins a page of events onto what is already held (by id, oldest first, no duplicates). */
export function mergeEvents<T extends { id: number }>(held: readonly T[], page: readonly T[]): T[] {
  if (page.length === 0) return held as T[];
  const seen = new Set(held.map((e) => e.id));
  const out = [...held];
  for (const e of page) if (!seen.has(e.id)) out.push(e);
  return out.sort((a, b) => a.id - b.id);
}
