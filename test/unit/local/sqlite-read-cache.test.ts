/** The polled-read cache: one read per key until any connection writes, never inside a transaction. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteReadCache } from '../../../local/sqlite-read-cache.js';
import { tempDir } from '../../helpers/media.js';

function world() {
  const file = join(tempDir(), 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); CREATE TABLE other (x TEXT)');
  db.prepare("INSERT INTO t VALUES ('a', 'one')").run();
  const cache = new SqliteReadCache(db, 3);
  let reads = 0;
  const get = (k: string) =>
    cache.get(k, () => {
      reads++;
      return (db.prepare('SELECT v FROM t WHERE k = ?').get(k) as { v: string } | undefined)?.v ?? null;
    });
  return { file, db, get, reads: () => reads };
}

describe('SqliteReadCache', () => {
  it('reads a key once while nothing is written, a missing row included', () => {
    const w = world();
    expect([w.get('a'), w.get('a'), w.get('missing'), w.get('missing')]).toEqual(['one', 'one', null, null]);
    expect(w.reads()).toBe(2);
  });

  it("reads again after this connection's write, in any table", () => {
    const w = world();
    w.get('a');
    w.db.prepare("UPDATE t SET v = 'two' WHERE k = 'a'").run();
    expect(w.get('a')).toBe('two');
    w.db.prepare("INSERT INTO other VALUES ('x')").run();
    expect(w.get('a')).toBe('two');
    expect(w.reads()).toBe(3);
  });

  it("reads again after another connection's commit", () => {
    const w = world();
    w.get('a');
    const other = new Database(w.file);
    other.prepare("UPDATE t SET v = 'theirs' WHERE k = 'a'").run();
    other.close();
    expect(w.get('a')).toBe('theirs');
    expect(w.reads()).toBe(2);
  });

  it('never keeps what a transaction saw: a rolled-back write is not served afterwards', () => {
    const w = world();
    w.get('a');
    expect(() =>
      w.db.transaction(() => {
        w.db.prepare("UPDATE t SET v = 'uncommitted' WHERE k = 'a'").run();
        expect(w.get('a')).toBe('uncommitted');
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(w.get('a')).toBe('one');
  });

  it('stays within its bound', () => {
    const w = world();
    for (const k of ['a', 'b', 'c', 'd']) w.get(k);
    // The fourth key emptied the cache (bound 3): 'a' is read again, 'd' is not.
    w.get('d');
    w.get('a');
    expect(w.reads()).toBe(5);
  });
});
