/**
 * Ports are narrow (DESIGN.md, "Ports are narrow: one small interface per concern"): no exported
 * interface of lambdas/ports.ts has more than MAX_PORT_MEMBERS members. Read with the TypeScript
 * compiler API, so a port that grows is caught however it is written; members inherited through
 * `extends` of another interface in the file count too. Intersections of ports (`JobStore`,
 * `JobControl`: one adapter's whole set, for wiring) are not ports themselves and are not counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MAX_PORT_MEMBERS = 8;
const PORTS = join(import.meta.dirname, '..', '..', 'lambdas', 'ports.ts');

const exported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** Exported interfaces (and object-literal type aliases) of a source text, with their member counts. */
function portSizes(text: string, fileName = 'ports.ts'): Map<string, number> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const literals = new Map<string, ts.TypeLiteralNode>();
  for (const s of source.statements) {
    if (ts.isInterfaceDeclaration(s)) interfaces.set(s.name.text, s);
    else if (ts.isTypeAliasDeclaration(s) && ts.isTypeLiteralNode(s.type)) literals.set(s.name.text, s.type);
  }
  const members = (name: string, seen = new Set<string>()): Set<string> => {
    const out = new Set<string>();
    const decl = interfaces.get(name);
    if (!decl || seen.has(name)) return out;
    seen.add(name);
    for (const m of decl.members) out.add(m.name ? m.name.getText(source) : `#${m.pos}`);
    for (const h of decl.heritageClauses ?? [])
      for (const t of h.types) if (ts.isIdentifier(t.expression)) for (const m of members(t.expression.text, seen)) out.add(m);
    return out;
  };
  const sizes = new Map<string, number>();
  for (const [name, decl] of interfaces) if (exported(decl)) sizes.set(name, members(name).size);
  for (const [name, lit] of literals) if (exported(lit.parent)) sizes.set(name, lit.members.length);
  return sizes;
}

describe('ports', () => {
  const sizes = portSizes(readFileSync(PORTS, 'utf8'));

  it('are read from lambdas/ports.ts', () => {
    // The parse found the ports (a parse that found none would pass anything).
    for (const name of ['BlobStore', 'JobRepository', 'StepLog', 'FactStore', 'JobLauncher', 'JobRequests', 'EngineCatalog', 'RuleQueries'])
      expect(sizes.has(name), name).toBe(true);
  });

  it(`have at most ${MAX_PORT_MEMBERS} members each`, () => {
    const over = [...sizes].filter(([, n]) => n > MAX_PORT_MEMBERS).map(([name, n]) => `${name}: ${n} members`);
    expect(over, `split these into narrow ports of one concern each (at most ${MAX_PORT_MEMBERS} members)`).toEqual([]);
  });

  it('counts a port that grew, inherited members included', () => {
    const methods = (n: number) => Array.from({ length: n }, (_, i) => `  m${i}(): void;`).join('\n');
    const sizes = portSizes(`export interface Big {\n${methods(9)}\n}\ninterface Base {\n${methods(5)}\n}\nexport interface Child extends Base {\n  own(): void;\n}\nexport type Lit = {\n${methods(3)}\n};\nexport type Both = Big & Child;`);
    expect(Object.fromEntries(sizes)).toEqual({ Big: 9, Child: 6, Lit: 3 });
  });
});
