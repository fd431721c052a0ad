/**
 * The local S3 upload trigger: watches `<root>/inbox/` and, for every file that lands there, emits
 * the event S3 sends EventBridge for a PutObject (`Object Created`, source `aws.s3`, in its exact
 * shape), so the same rules that follow uploads on AWS follow drops here.
 *
 * The engine's BlobStore is the same folder, so a file under `inbox/` already is the object at its
 * inbox key (`inbox/<path>`); nothing is copied. A file is announced once it stops growing (same
 * size, mtime and inode for `settleMs`), found by fs.watch and by a periodic rescan (watch events
 * can be dropped or coalesced); a file written again is announced again, as S3 would. Its ETag is
 * the MD5 of the content, as S3's is for a single-part upload, so the same bytes dropped twice name
 * the same job. Files present at start are announced too (catch-up after downtime: job ids make it
 * harmless). Hidden and partial files (`.x`, `*.part`, `*.tmp`, `*.crdownload`, `*~`) are skipped.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { LOCAL_RULE_SUBSTITUTIONS, UPLOAD_PREFIX, type BusEvent } from '../lambdas/contracts/index.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './rule-runtime.js';

export interface InboxWatcherOptions {
  /** The engine's root: the inbox is `<root>/inbox/`. */
  root: string;
  onEvent: (event: BusEvent) => void | Promise<void>;
  /** The bucket the events name (the rules' `${SourceBucket}`). */
  bucket?: string;
  region?: string;
  /** How long a file must stay unchanged before it is announced. */
  settleMs?: number;
  /** Full rescans, in case fs.watch missed something. */
  rescanMs?: number;
  /** Told when a file cannot be read or announced (it is retried on the next scan). */
  onError?: (path: string, error: Error) => void;
}

const SKIP = /(^\.|\.part$|\.tmp$|\.crdownload$|~$)/i;

interface Seen {
  signature: string;
  since: number;
}

export class InboxWatcher {
  readonly dir: string;
  private readonly announced = new Map<string, string>();
  private readonly candidates = new Map<string, Seen>();
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private sequence = 0;
  private readonly settleMs: number;
  private readonly rescanMs: number;

  private constructor(private readonly o: InboxWatcherOptions) {
    this.dir = join(o.root, UPLOAD_PREFIX);
    this.settleMs = o.settleMs ?? 500;
    this.rescanMs = o.rescanMs ?? 2000;
  }

  static async start(o: InboxWatcherOptions): Promise<InboxWatcher> {
    const w = new InboxWatcher(o);
    await mkdir(w.dir, { recursive: true });
    try {
      w.watcher = watch(w.dir, { recursive: true }, () => w.kick());
      w.watcher.on('error', () => undefined); // the rescan still finds files
    } catch {
      // fs.watch unsupported here: rescans alone find the files.
    }
    w.kick();
    return w;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Scans now (and resolves when done); used by fs.watch, the timer and tests. */
  scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = this.scanOnce()
      .finally(() => {
        this.scanning = null;
        if (this.again && !this.closed) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
    return this.scanning;
  }

  private kick(): void {
    if (!this.closed) void this.scan();
  }

  /** Soon while a file is settling, else at the rescan interval. */
  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = this.candidates.size ? Math.min(this.settleMs, this.rescanMs) : this.rescanMs;
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private async scanOnce(): Promise<void> {
    const present = new Set<string>();
    for (const path of await walk(this.dir)) {
      present.add(path);
      let s;
      try {
        s = await stat(path);
      } catch {
        continue; // gone meanwhile
      }
      const signature = `${s.size}:${s.mtimeMs}:${s.ino}`;
      if (this.announced.get(path) === signature) continue;
      const seen = this.candidates.get(path);
      if (!seen || seen.signature !== signature) {
        this.candidates.set(path, { signature, since: Date.now() });
        continue;
      }
      if (Date.now() - seen.since < this.settleMs) continue;
      try {
        await this.announce(path, s.size);
        this.announced.set(path, signature);
        this.candidates.delete(path);
      } catch (e) {
        this.o.onError?.(path, e as Error);
      }
    }
    // A file removed may be dropped again: it is announced anew then.
    for (const path of [...this.announced.keys(), ...this.candidates.keys()]) {
      if (!present.has(path)) (this.announced.delete(path), this.candidates.delete(path));
    }
  }

  private async announce(path: string, size: number): Promise<void> {
    const key = `${UPLOAD_PREFIX}${relative(this.dir, path).split(sep).join('/')}`;
    const etag = await md5File(path);
    await this.o.onEvent(objectCreatedEvent({ bucket: this.o.bucket ?? LOCAL_RULE_SUBSTITUTIONS.SourceBucket, key, size, etag, sequencer: this.nextSequencer(), region: this.o.region ?? LOCAL_REGION }));
  }

  /** S3's sequencer: a hex string that orders events of one key; later is greater. */
  private nextSequencer(): string {
    return (Date.now() * 1000 + (this.sequence++ % 1000)).toString(16).toUpperCase().padStart(16, '0');
  }
}

/** S3's `Object Created` event for a PutObject, as EventBridge delivers it. */
export function objectCreatedEvent(o: { bucket: string; key: string; size: number; etag: string; sequencer: string; region?: string; time?: Date }): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    time: (o.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: o.region ?? LOCAL_REGION,
    resources: [`arn:aws:s3:::${o.bucket}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket },
      object: { key: o.key, size: o.size, etag: o.etag, sequencer: o.sequencer },
      'request-id': randomBytes(8).toString('hex').toUpperCase(),
      requester: LOCAL_ACCOUNT,
      'source-ip-address': '127.0.0.1',
      reason: 'PutObject',
    },
  };
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (SKIP.test(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

function md5File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
