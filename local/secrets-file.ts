/**
 * Secrets of media functions on this machine: an env file of `NAME=value` lines (blank lines and
 * `#` comments skipped, `export ` and surrounding quotes allowed), `<out>/.mosaic/secrets.env` by
 * default or the file MOSAIC_SECRETS_FILE names. A function reads them with ctx.config.secret(NAME),
 * as it reads its function.json `secrets` on AWS. Errors name the file and line, never a value.
 */
import { existsSync, readFileSync } from 'node:fs';

export const SECRETS_FILE_NAME = 'secrets.env';

export function parseSecretsFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(t);
    if (!m) throw new Error(`${file}:${i + 1}: expected NAME=value`);
    let value = m[2]!.trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out[m[1]!] = value;
  });
  return out;
}

/** The file's secrets; a missing file gives none unless `required` (an explicit MOSAIC_SECRETS_FILE must exist). */
export function readSecretsFile(file: string, required = false): Record<string, string> {
  if (!existsSync(file)) {
    if (required) throw new Error(`MOSAIC_SECRETS_FILE ${file} does not exist`);
    return {};
  }
  return parseSecretsFile(readFileSync(file, 'utf8'), file);
}
