/**
 * The Jobs API through real HTTP on loopback, on the embedded engine: upload → submit → poll →
 * fetch outputs (with Range), preflight on good and bad sources, idempotent submit, auth.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/api-server.js';
import { makeClip, tempDir } from '../helpers/media.js';

let server: TestServer;
let dir: string;
let clip: string;

beforeAll(async () => {
  dir = tempDir('mosaic-api-');
  mkdirSync(join(dir, 'src'));
  clip = makeClip(join(dir, 'src', 'clip.mp4'), { width: 320, height: 180, seconds: 3 });
  server = await startTestServer(join(dir, 'out'));
});

afterAll(async () => {
  await server?.stop();
});

describe('Jobs API lifecycle over HTTP', () => {
  it('uploads, submits, polls to success and serves the outputs', async () => {
    const api = server.api;
    const key = await api.upload(clip);
    expect(key).toMatch(/^uploads\/.+\/clip\.mp4$/);

    const submitted = await api.call('POST', '/v1/jobs', { source: { key }, preset: 'draft', tags: { test: 'lifecycle' } });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    expect(submitted.body.status).toBe('QUEUED');
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${submitted.body.id}`);

    const done = await api.waitFor(submitted.body.id);
    expect(done.status, JSON.stringify(done.error)).toBe('SUCCEEDED');
    expect(done.progress.percent).toBe(100);
    expect(done.steps.map((s: { function: string }) => s.function)).toEqual(expect.arrayContaining(['inspect', 'plan', 'encode-video', 'assemble', 'package', 'publish']));
    expect(done.steps.every((s: { durationMs: number | null }) => typeof s.durationMs === 'number')).toBe(true);
    expect(done.renditions.length).toBeGreaterThan(0);
    expect(done.renditions[0].psnr).toBeGreaterThan(20);
    expect(done.outputs.hls.key).toBe(`${done.id}/hls/master.m3u8`);
    // What the same job costs on AWS: estimated at plan time, computed from the steps at the end.
    expect(done.cost.estimatedUsd).toBeGreaterThan(0);
    expect(done.cost.actualUsd).toBeGreaterThan(0);
    expect(done.cost.region).toEqual(expect.any(String));

    // The master playlist, then a rendition playlist by its relative URL: the same token covers it.
    const master = await fetch(done.outputs.hls.url);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const text = await master.text();
    const variant = text.split('\n').find((l) => l.endsWith('.m3u8'))!;
    const variantRes = await fetch(new URL(variant, done.outputs.hls.url));
    expect(variantRes.status).toBe(200);
    const segment = (await variantRes.text()).split('\n').find((l) => l && !l.startsWith('#'))!;
    const segUrl = new URL(segment, new URL(variant, done.outputs.hls.url));
    const whole = await fetch(segUrl);
    const wholeBytes = Buffer.from(await whole.arrayBuffer());
    expect(wholeBytes.length).toBeGreaterThan(100);
    const part = await fetch(segUrl, { headers: { range: 'bytes=10-49' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-49/${wholeBytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(wholeBytes.subarray(10, 50));
    const dash = await fetch(done.outputs.dash.url);
    expect(dash.headers.get('content-type')).toBe('application/dash+xml');

    // A forged or re-aimed token is refused; private state is never served.
    const token = new URL(done.outputs.hls.url).pathname.split('/')[2];
    expect((await fetch(`${server.url}/files/${token}/.mosaic/mosaic.db`)).status).toBe(403);
    expect((await fetch(`${server.url}/files/${token}x/${done.id}/hls/master.m3u8`)).status).toBe(403);

    const listed = await api.call('GET', '/v1/jobs?status=SUCCEEDED&limit=5');
    expect(listed.status).toBe(200);
    expect(listed.body.jobs.map((j: { id: string }) => j.id)).toContain(done.id);
    const events = await api.call('GET', `/v1/jobs/${done.id}/events`);
    expect(events.body.events.filter((e: { detailType: string }) => e.detailType === 'Job Status Changed').map((e: { detail: { status: string } }) => e.detail.status)).toEqual([
      'QUEUED',
      'RUNNING',
      'SUCCEEDED',
    ]);
  });

  it('submits idempotently: same key and body → same job; same key, other body → 409', async () => {
    const key = await server.api.upload(clip, 'idem.mp4');
    const body = { source: { key }, preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false } };
    const first = await server.api.call('POST', '/v1/jobs', body, { 'Idempotency-Key': 'order-42' });
    // Same body with keys in another order and a default spelled out.
    const again = await server.api.call('POST', '/v1/jobs', { preset: 'draft', priority: 50, outputs: body.outputs, source: { key } }, { 'Idempotency-Key': 'order-42' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await server.api.call('POST', '/v1/jobs', { ...body, preset: 'default' }, { 'Idempotency-Key': 'order-42' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const fresh = await server.api.call('POST', '/v1/jobs', body, { 'Idempotency-Key': 'order-43' });
    expect(fresh.body.id).not.toBe(first.body.id);
    await server.api.waitFor(first.body.id);
    await server.api.waitFor(fresh.body.id);
    const all = await server.api.call('GET', '/v1/jobs?limit=100');
    expect(all.body.jobs.filter((j: { sourceKey: string }) => j.sourceKey === key).length).toBe(2);
  });

  it('preflights a good source with a plan, and a bad one with reasons, running nothing', async () => {
    const good = await server.api.upload(clip, 'pre.mp4');
    const before = (await server.api.call('GET', '/v1/jobs?limit=100')).body.jobs.length;
    const ok = await server.api.call('POST', '/v1/jobs/preflight', { source: { key: good }, preset: 'draft' });
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(true);
    expect(ok.body.source.video).toMatchObject({ width: 320, height: 180 });
    expect(ok.body.plan.rungs.length).toBeGreaterThan(0);
    expect(ok.body.plan.tasks.encodeVideo).toBe(ok.body.plan.rungs.length * ok.body.plan.chunks.count);
    expect(ok.body.estimate.estimatedUsd).toBeGreaterThan(0);

    const junk = join(dir, 'src', 'junk.mp4');
    writeFileSync(junk, 'this is not a video at all '.repeat(100));
    const badKey = await server.api.upload(junk);
    const bad = await server.api.call('POST', '/v1/jobs/preflight', { source: { key: badKey } });
    expect(bad.status).toBe(200);
    expect(bad.body.accepted).toBe(false);
    expect(bad.body.reasons.join(' ')).toMatch(/not a media file/);
    expect(bad.body.plan).toBeNull();

    const missing = await server.api.call('POST', '/v1/jobs/preflight', { source: { key: 'uploads/nope/x.mp4' } });
    expect(missing.body.accepted).toBe(false);
    expect(missing.body.reasons[0]).toMatch(/no object/);
    expect((await server.api.call('GET', '/v1/jobs?limit=100')).body.jobs.length).toBe(before);
  });

  it('limits an upload PUT to the bytes its ticket allows, and refuses forged tickets', async () => {
    const ticket = (await server.api.call('POST', '/v1/uploads', { filename: 'small.mp4', bytes: 100 })).body;
    const over = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: Buffer.alloc(200, 1) });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    // Streamed without a length up front: cut off at the limit all the same.
    const streamed = await fetch(ticket.url, {
      method: 'PUT',
      headers: ticket.headers,
      body: new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(150)), c.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const forged = ticket.url.replace(/\/uploads\/([^.]+)\.(.+)$/, (_: string, body: string, mac: string) => `/uploads/${body}.${mac.slice(1)}x`);
    expect((await fetch(forged, { method: 'PUT', body: 'x' })).status).toBe(403);
    const ok = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: Buffer.alloc(100, 1) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ key: ticket.key, bytes: 100 });
  });

  it('refuses requests without a valid API key, except health', async () => {
    const anon = new ApiClient(server.url, null);
    const wrong = new ApiClient(server.url, 'not-the-key');
    for (const c of [anon, wrong]) {
      const r = await c.call('GET', '/v1/jobs');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
      expect((await c.call('POST', '/v1/jobs', { source: { key: 'x' } })).status).toBe(401);
    }
    expect((await anon.call('GET', '/v1/health')).status).toBe(200);
    const bearer = await fetch(`${server.url}/v1/jobs`, { headers: { authorization: `Bearer ${server.api.key}` } });
    expect(bearer.status).toBe(200);
  });
});
