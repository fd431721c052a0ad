/**
 * What the generators share: a planned file, the name rule, and the placement of each kind of
 * definition in the repository. Planners are pure: they return files, the writer writes them.
 */
export interface PlannedFile {
  /** Relative to the repository root, with `/`. */
  path: string;
  content: string;
  /** One line: what the file is. */
  summary: string;
}

export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const NAME_MAX = 40;
export const NAME_RULE = `a name is kebab-case (${NAME_PATTERN.source}): lower-case letters and digits in words joined by single "-", starting with a letter, at most ${NAME_MAX} characters`;

/** Null when `name` is a good generator name, else why not. */
export function nameProblem(name: string): string | null {
  if (!NAME_PATTERN.test(name) || name.length > NAME_MAX) return `"${name}" is not a valid name: ${NAME_RULE}`;
  return null;
}

export const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class GeneratorError extends Error {}
