/** The workflows the API knows (GET /v1/workflows), each with its graph (no statuses). */
import { useEffect, useState } from 'preact/hooks';
import type { WorkflowInfo } from '../../../lambdas/contracts/api.ts';
import { api, ApiError, messageOf } from '../api.ts';
import { WorkflowGraph } from '../components/workflow-graph.tsx';
import { usePoll } from '../hooks.ts';

export interface WorkflowDoc {
  name: string;
  description: string;
  functions: string[];
  definition: unknown;
}

/** A workflow's definition (GET /v1/workflows/{name}), fetched once; a 404 comes back as the API's message. */
export function useWorkflowDefinition(name: string): { doc: WorkflowDoc | null; error: string | null } {
  const [state, setState] = useState<{ doc: WorkflowDoc | null; error: string | null }>({ doc: null, error: null });
  useEffect(() => {
    let alive = true;
    setState({ doc: null, error: null });
    api.get<WorkflowDoc>(`/v1/workflows/${encodeURIComponent(name)}`).then(
      (doc) => alive && setState({ doc, error: null }),
      (e: unknown) => alive && setState({ doc: null, error: e instanceof ApiError && e.status === 404 ? `The workflow graph is not available: ${e.message}` : messageOf(e) }),
    );
    return () => {
      alive = false;
    };
  }, [name]);
  return state;
}

function WorkflowCard(props: { info: WorkflowInfo }) {
  const { doc, error } = useWorkflowDefinition(props.info.name);
  const [open, setOpen] = useState(true);
  return (
    <section class="m-workflow-card" data-testid="workflow" data-workflow={props.info.name} aria-labelledby={`m-wf-${props.info.name}`}>
      <h2 id={`m-wf-${props.info.name}`} style={{ margin: '0 0 0.25rem', fontSize: '1.1rem' }}>
        {props.info.name}
      </h2>
      <p style={{ margin: '0 0 0.5rem' }}>{props.info.description}</p>
      <p class="m-muted" style={{ margin: '0 0 0.5rem' }}>
        Functions: {props.info.functions.join(', ') || '—'}
      </p>
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? 'Hide graph' : 'Show graph'}
      </button>
      {open ? (
        doc ? (
          <WorkflowGraph definition={doc.definition} title={`${props.info.name} workflow`} />
        ) : error ? (
          <p class="m-muted" data-testid="workflow-graph-unavailable">
            {error}
          </p>
        ) : (
          <p class="m-muted">Loading the graph…</p>
        )
      ) : null}
    </section>
  );
}

export function WorkflowsView() {
  const list = usePoll(() => api.get<{ workflows: WorkflowInfo[] }>('/v1/workflows'), 60_000, []);
  return (
    <section data-testid="workflows-view" aria-labelledby="m-workflows-h">
      <h1 id="m-workflows-h">Workflows</h1>
      {list.error && !list.data ? (
        <p class="m-error" role="alert">
          {list.error}
        </p>
      ) : null}
      {list.loading && !list.data ? <p class="m-muted">Loading…</p> : null}
      {list.data?.workflows.length === 0 ? <p class="m-muted">No workflows.</p> : null}
      {list.data?.workflows.map((w) => <WorkflowCard key={w.name} info={w} />)}
    </section>
  );
}
