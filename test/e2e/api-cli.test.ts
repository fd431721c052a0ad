/** `mosaic encode|jobs --api URL`: the CLI against a running server (upload, submit, poll, tables). */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../helpers/api-server.js';
import { cli, makeClip, tempDir } from '../helpers/media.js';

let server: TestServer;
let clip: string;

beforeAll(async () => {
  const dir = tempDir('mosaic-api-cli-');
  clip = makeClip(join(dir, 'cli.mp4'), { width: 320, height: 180, seconds: 2 });
  server = await startTestServer(join(dir, 'out'));
});

afterAll(async () => {
  await server?.stop();
});

describe('mosaic CLI with --api', () => {
  it('encodes through the server with the same event lines and result, then lists and shows the job', async () => {
    const r = await cli(['encode', clip, '--api', server.url, '--api-key', TEST_API_KEY, '--preset', 'draft', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const result = lines.at(-1);
    expect(result.type).toBe('result');
    expect(result.job.status).toBe('SUCCEEDED');
    expect(result.job.outputs.hls.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    const steps = lines.filter((l) => l.type === 'event' && l.detailType === 'Step Status Changed' && l.detail.status === 'SUCCEEDED').map((l) => l.detail.function);
    expect(steps).toEqual(expect.arrayContaining(['inspect', 'plan', 'encode-video', 'publish']));
    // The job really is on the server.
    expect((await server.api.call('GET', `/v1/jobs/${result.job.id}`)).body.status).toBe('SUCCEEDED');

    const listed = await cli(['jobs', 'list', '--api', server.url, '--json'], { MOSAIC_API_KEY: TEST_API_KEY });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((j: { id: string }) => j.id)).toContain(result.job.id);
    const shown = await cli(['jobs', 'show', result.job.id, '--api', server.url], { MOSAIC_API_KEY: TEST_API_KEY });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${result.job.id}  SUCCEEDED  100%`);
    expect(shown.stdout).toMatch(/encode-video:\S+\s+1\s+SUCCEEDED/);

    const human = await cli(['encode', clip, '--api', server.url, '--preset', 'draft'], { MOSAIC_API_KEY: TEST_API_KEY });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Job \S+ succeeded in/);
    expect(human.stdout).toMatch(/HLS {2}http:\/\/127\.0\.0\.1:\d+\/files\/\S+\/hls\/master\.m3u8/);
  });

  it('says what is wrong without a key, with a wrong key, and with an unknown job', async () => {
    const noKey = await cli(['jobs', 'list', '--api', server.url], { MOSAIC_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/needs an API key/);
    const wrong = await cli(['jobs', 'list', '--api', server.url, '--api-key', 'nope']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/API key is not valid \(unauthorized, HTTP 401\)/);
    const missing = await cli(['jobs', 'show', 'no-such-job', '--api', server.url, '--api-key', TEST_API_KEY]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no job no-such-job \(not_found, HTTP 404\)/);
  });
});
