/** A job's history, newest last: status changes, steps, allocations, webhook deliveries. */
import { useState } from 'preact/hooks';
import { describeEvent } from '../lib/events.ts';
import { formatTime } from '../lib/format.ts';
import type { EventLike } from '../lib/gantt.ts';

export function EventHistory(props: { events: readonly EventLike[] }) {
  const [all, setAll] = useState(false);
  const progress = props.events.filter((e) => e.detailType === 'Step Progress').length;
  const shown = (all ? props.events : props.events.filter((e) => e.detailType !== 'Step Progress')).map(describeEvent);
  return (
    <div data-testid="event-history">
      {progress > 0 ? (
        <label class="m-muted">
          <input type="checkbox" checked={all} onChange={(e) => setAll((e.currentTarget as HTMLInputElement).checked)} /> show {progress} progress events
        </label>
      ) : null}
      {shown.length === 0 ? (
        <p class="m-muted">No events yet.</p>
      ) : (
        <ol class="m-events" aria-label="Job history, oldest first">
          {shown.map((l) => (
            <li key={l.id} data-testid="event" data-type={l.type}>
              <time dateTime={l.time}>{formatTime(l.time)}</time>
              <span>
                {l.status ? <span class={`m-badge m-status-${l.status === 'ESCALATED' ? 'FAILED' : l.status}`}>{l.type}</span> : <span class="m-muted">{l.type}</span>}
              </span>
              <span>{l.text}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
