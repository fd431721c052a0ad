/** The inbox watcher: a file is announced once, when it stops growing, in S3's event shape; partial and hidden files never. */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../lambdas/contracts/index.js';
import { InboxWatcher } from '../../../local/inbox-watcher.js';
import { tempDir } from '../../helpers/media.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let watcher: InboxWatcher | null = null;
afterEach(() => watcher?.close());

describe('inbox watcher', () => {
  it('waits until a growing file is complete, then announces it once with its MD5 as ETag', async () => {
    const root = tempDir('mosaic-inbox-');
    const events: BusEvent[] = [];
    // Settling takes 8x the append interval, so a loaded machine does not announce a half-written file.
    watcher = await InboxWatcher.start({ root, settleMs: 800, rescanMs: 100, onEvent: (e) => void events.push(e) });
    mkdirSync(join(root, 'inbox', 'Deep', 'er'), { recursive: true });
    const path = join(root, 'inbox', 'Deep', 'er', 'growing.mov');
    writeFileSync(path, 'a'.repeat(1000));
    for (let i = 0; i < 5; i++) {
      await sleep(100);
      appendFileSync(path, 'b'.repeat(1000));
    }
    writeFileSync(join(root, 'inbox', 'upload.mov.part'), 'partial');
    writeFileSync(join(root, 'inbox', '.hidden.mov'), 'hidden');
    await sleep(1600);
    expect(events).toHaveLength(1);
    const content = 'a'.repeat(1000) + 'b'.repeat(5000);
    expect(events[0]).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'mosaic-local-sources' }, object: { key: 'inbox/Deep/er/growing.mov', size: 6000, etag: createHash('md5').update(content).digest('hex') }, reason: 'PutObject' },
    });
    // Rescans do not announce it again; a rename into place (how browsers and cp -T finish) is a new object.
    renameSync(join(root, 'inbox', 'upload.mov.part'), join(root, 'inbox', 'upload.mov'));
    await sleep(1600);
    expect(events.map((e) => (e.detail as { object: { key: string } }).object.key)).toEqual(['inbox/Deep/er/growing.mov', 'inbox/upload.mov']);
  });

  it('announces files already there at start (catch-up), and a file written anew again', async () => {
    const root = tempDir('mosaic-inbox-');
    mkdirSync(join(root, 'inbox'), { recursive: true });
    writeFileSync(join(root, 'inbox', 'early.mp4'), 'x');
    const events: BusEvent[] = [];
    watcher = await InboxWatcher.start({ root, settleMs: 100, rescanMs: 100, onEvent: (e) => void events.push(e) });
    await sleep(500);
    expect(events).toHaveLength(1);
    writeFileSync(join(root, 'inbox', 'early.mp4'), 'xy');
    await sleep(500);
    expect(events.map((e) => (e.detail as { object: { size: number } }).object.size)).toEqual([1, 2]);
  });
});
