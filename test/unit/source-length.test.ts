/**
 * No source file over MAX_LINES lines without a reason in it (issue 11: "no source file over about
 * 400 lines without a reason in it"). The reason is a comment line whose text starts with
 * `Length:` — `// Length: …` or ` * Length: …` in a doc block — saying why the file is that long
 * (or it is split). Test files are not source files here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 400;
const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE_DIRS = ['lambdas', 'local', 'lib', 'bin', 'ui/src', 'containers'];
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'cdk.out', 'test', '__tests__']);
/** The reason marker: a comment line starting with `Length:` and a reason of a few words. */
const LENGTH_MARKER = /^\s*(?:\/\/|\*)\s*Length:\s*\S.{15,}/m;

const lineCount = (text: string): number => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.')) out.push(...sourceFiles(path));
    } else if (e.isFile() && SOURCE_FILE.test(e.name) && !/\.(test|spec)\.[^.]+$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

describe('source files', () => {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)));

  it('are found', () => {
    expect(files.map((f) => relative(ROOT, f))).toContain('lambdas/ports.ts');
  });

  it(`over ${MAX_LINES} lines say why (a "Length:" comment)`, () => {
    const unexplained = files
      .map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }))
      .filter(({ file, text }) => lineCount(text) > MAX_LINES && !LENGTH_MARKER.test(text))
      .map(({ file, text }) => `${file}: ${lineCount(text)} lines`);
    expect(unexplained, `split these, or say why they are this long in a comment line starting "Length:"`).toEqual([]);
  });

  it('recognise the marker in line and block comments only', () => {
    expect(LENGTH_MARKER.test('// Length: one format, read by the writer and every query')).toBe(true);
    expect(LENGTH_MARKER.test('/**\n * Length: ≈620 lines, one file on purpose: the item layout\n */')).toBe(true);
    expect(LENGTH_MARKER.test('const Length: number = 3;')).toBe(false);
    expect(LENGTH_MARKER.test('// Length:')).toBe(false);
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });
});
