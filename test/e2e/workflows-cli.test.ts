/** `mosaic workflows list` and `mosaic workflows run NAME --input FILE` on the embedded engine (issue 14 item 2). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, makeClip, resultLine, tempDir } from '../helpers/media.js';

describe('mosaic workflows', () => {
  it('lists every state-machines/*.asl.json with its functions', async () => {
    const r = await cli(['workflows', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; functions: string[]; error: string | null }[];
    expect(list.map((w) => w.name)).toEqual(expect.arrayContaining(['encode', 'measure', 'repackage']));
    expect(list.every((w) => w.error === null)).toBe(true);
    expect(list.find((w) => w.name === 'measure')!.functions).toEqual(['measure-quality', 'publish-derived']);
  });

  it('runs measure and repackage on a job encoded here; refuses what cannot be derived with exit 1', async () => {
    const dir = tempDir('mosaic-wf-cli-');
    const out = join(dir, 'out');
    const clip = makeClip(join(dir, 'clip.mp4'), { width: 320, height: 180, seconds: 4 });
    const enc = await cli(['encode', clip, '--out', out, '--preset', 'draft', '--json']);
    expect(enc.code, enc.stderr).toBe(0);
    const of = resultLine(enc.stdout).job.id;

    writeFileSync(join(dir, 'measure.json'), JSON.stringify({ of }));
    const m = await cli(['workflows', 'run', 'measure', '--input', join(dir, 'measure.json'), '--out', out, '--json']);
    expect(m.code, m.stderr).toBe(0);
    const measured = resultLine(m.stdout) as any;
    expect(measured.job).toMatchObject({ status: 'SUCCEEDED', workflow: { name: 'measure', input: { of } } });
    expect(measured.report.derivedFrom).toEqual({ jobId: of, workflow: 'measure' });
    expect(measured.report.rungs[0].psnr).toBeGreaterThan(20);

    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ of, segmentSeconds: 3 }));
    const bad = await cli(['workflows', 'run', 'repackage', '--input', join(dir, 'bad.json'), '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("segmentSeconds 3 is not a whole multiple of the renditions' keyframe interval (2 s)");

    writeFileSync(join(dir, 'repackage.json'), JSON.stringify({ of, segmentSeconds: 4, dash: false }));
    const p = await cli(['workflows', 'run', 'repackage', '--input', join(dir, 'repackage.json'), '--out', out]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/\(repackage\) succeeded/);
    expect(p.stdout).toContain('HLS  hls/master.m3u8');
    expect(p.stdout).toContain('DASH -');

    const list = await cli(['jobs', 'list', '--out', out]);
    expect(list.stdout.match(/ measure /g)).toHaveLength(1);
    expect(list.stdout.match(/ repackage /g)).toHaveLength(1);
  }, 120_000);
});
