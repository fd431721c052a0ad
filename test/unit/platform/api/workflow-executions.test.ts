/** POST /v1/workflows/{name}/executions on the API app (a fake job control): routing, checks, idempotency. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await apiFixture({ metrics: false });
});
afterEach(() => f.close());

describe('POST /v1/workflows/{name}/executions', () => {
  it('encode: the input is a job spec merged with the job settings; it is a submitted job', async () => {
    const r = await f.req('POST', '/v1/workflows/encode/executions', { input: { source: { key: 'uploads/a/clip.mp4' }, preset: 'draft' }, priority: 90, tags: { team: 'a' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ id: 'job-0001', workflow: 'encode', status: 'QUEUED', spec: { preset: 'draft', priority: 90, tags: { team: 'a' } } });
    expect(r.headers.get('location')).toBe('/v1/jobs/job-0001');
    expect(f.control.submitted).toEqual(['job-0001']);
  });

  it('encode: a bad spec names the field under body.input; a missing source is a 400; a private key never passes', async () => {
    const bad = await f.req('POST', '/v1/workflows/encode/executions', { input: { source: { key: 'uploads/a/clip.mp4' }, priority: 500 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('body.input.priority');
    const missing = await f.req('POST', '/v1/workflows/encode/executions', { input: { source: { key: 'uploads/none.mp4' } } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('no object at "uploads/none.mp4"');
    const hidden = await f.req('POST', '/v1/workflows/encode/executions', { input: { source: { key: './.mosaic/mosaic.db' } } });
    expect(hidden.status).toBe(400);
    expect(f.control.submitted).toEqual([]);
  });

  it('another workflow: its input goes to the control as it is, keys checked; the job is tracked with its workflow', async () => {
    const enc = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' } });
    const r = await f.req('POST', '/v1/workflows/measure/executions', { input: { of: enc.body.id } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ workflow: 'measure', status: 'QUEUED' });
    expect((await f.req('GET', `/v1/jobs/${r.body.id}`)).body.workflow).toBe('measure');
    expect((await f.req('GET', '/v1/jobs')).body.jobs.map((j: any) => j.workflow).sort()).toEqual(['encode', 'measure']);
    const hidden = await f.req('POST', '/v1/workflows/measure/executions', { input: { of: enc.body.id, report: { key: '.mosaic/api-key' } } });
    expect(hidden.status).toBe(400);
    expect(hidden.body.error.message).toContain('body.input.report.key');
  });

  it('unknown workflows are 404 naming the known ones; a bad name is 400; unknown body fields are 400', async () => {
    const none = await f.req('POST', '/v1/workflows/transcode/executions', { input: {} });
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe('no workflow "transcode"; known: encode, measure');
    expect((await f.req('POST', '/v1/workflows/Bad_Name/executions', { input: {} })).status).toBe(400);
    expect((await f.req('POST', '/v1/workflows/measure/executions', { input: {}, extra: 1 })).status).toBe(400);
    // The control's own refusals keep their status (here: no job of that id).
    expect((await f.req('POST', '/v1/workflows/measure/executions', { input: { of: 'nope' } })).status).toBe(404);
  });

  it('an Idempotency-Key replays the same job for the same request, and 409s for another', async () => {
    const enc = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' } });
    const body = { input: { of: enc.body.id } };
    const first = await f.req('POST', '/v1/workflows/measure/executions', body, { 'idempotency-key': 'k1' });
    const again = await f.req('POST', '/v1/workflows/measure/executions', body, { 'idempotency-key': 'k1' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await f.req('POST', '/v1/workflows/measure/executions', { input: { of: enc.body.id, vmaf: false } }, { 'idempotency-key': 'k1' });
    expect(other.status).toBe(409);
  });
});
