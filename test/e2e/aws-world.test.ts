import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, FFPROBE, makeClip, tempDir, VMAF_MODEL } from '../helpers/media.js';
import { AwsWorld, until } from '../helpers/aws-world/world.js';

let world: AwsWorld;
let clip: Buffer;
beforeAll(async () => {
  world = await AwsWorld.start({ ffmpeg: FFMPEG!, ffprobe: FFPROBE!, vmafModel: VMAF_MODEL, fargate: ['package'] });
  clip = await readFile(makeClip(join(tempDir('mosaic-aws-world-'), 'clip.mp4'), { width: 320, height: 180, seconds: 4, fps: 25 }));
}, 60_000);
afterAll(async () => {
  await world?.close();
});

describe('aws world', () => {
  it('happy path', async () => {
    const t0 = Date.now();
    await world.upload('inbox/draft/clip.mp4', clip);
    await until('an execution', () => (world.executions.size ? true : undefined), 20_000);
    const [exec] = [...world.executions.values()];
    const polls: any[] = [];
    await until('end', async () => {
      const r = await world.api('GET', `/v1/jobs/${exec!.name}`);
      polls.push({ status: r.body.status, p: r.body.progress, t: Date.now() - t0 });
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.body.status) ? r.body : undefined;
    }, 80_000, 100);
    await world.settle();
    console.log(JSON.stringify(polls.map(p=>[p.status,p.p.percent,p.p.etaSec,p.t])));
    console.log(exec!.status, exec!.error, exec!.cause);
    console.log(JSON.stringify(world.tasks.map(t=>[t.state,t.fn,t.platform,t.itemId,t.outcome,t.error, t.endedAt!-t.startedAt])));
    console.log('dead', JSON.stringify(world.deadLetters.map(d=>[d.rule,d.target,d.error])), world.harnessErrors);
    const r = await world.api('GET', `/v1/jobs/${exec!.name}`);
    console.log(JSON.stringify(r.body, null, 1).slice(0, 6000));
    const h = await world.api('GET', `/v1/jobs/${exec!.name}/events`);
    console.log(JSON.stringify(h.body).slice(0, 3000));
    console.log(JSON.stringify(world.deliveries.map(d=>[d.rule,d.target,d.event['detail-type'], d.attempts, JSON.stringify(d.result).slice(0,100)])).slice(0,5000));
  }, 90_000);
});
