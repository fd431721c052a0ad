/** The part of a JobSpec the encode workflow is given (every engine builds it the same way). */
import type { JobSpec, WorkflowSpec } from '../contracts/index.js';

export function workflowSpecOf(spec: JobSpec): WorkflowSpec {
  return {
    preset: spec.preset,
    ...(spec.ladder ? { ladder: spec.ladder } : {}),
    outputs: spec.outputs,
    priority: spec.priority,
    ...(spec.deadlineSec ? { deadlineSec: spec.deadlineSec } : {}),
    ...(spec.captions?.length ? { captions: spec.captions } : {}),
  };
}
