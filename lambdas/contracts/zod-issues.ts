/** A validation issue as zod reports it (and as other validators here report theirs). */
interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
}

/** One issue with its path written out: `body.ladder.0.height` (`(root)` for the value itself). */
export interface IssueEntry {
  path: string;
  message: string;
  code: string;
}

/** A path as messages write it: `a.b.0`, or `(root)` for the value itself. */
export const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';

/** Validation failures as `{ path, message, code }`, each path under `prefix` (e.g. `['body']`). */
export function issueEntries(error: { issues: readonly IssueLike[] }, prefix: readonly PropertyKey[] = []): IssueEntry[] {
  return error.issues.map((i) => ({ path: issuePath([...prefix, ...i.path]), message: i.message, code: i.code ?? 'custom' }));
}

/** Issues whose paths are written out, in one line: `path.to.field: message; ...`. */
export const joinIssues = (issues: readonly Pick<IssueEntry, 'path' | 'message'>[]): string => issues.map((i) => `${i.path}: ${i.message}`).join('; ');

/** Validation failures in one line: `path.to.field: message; ...` (`(root)` for the value itself). */
export function formatIssues(error: { issues: readonly IssueLike[] }, prefix: readonly PropertyKey[] = []): string {
  return joinIssues(issueEntries(error, prefix));
}
