/**
 * Turnaround benchmark (`npm run bench -- turnaround`): the allocator's modelled encode wall time
 * and cost of long titles on AWS, as `mosaic encode --estimate` plans them — the Plan step's own
 * code (planEncode → chooseChunking within the quotas) and every encode task sized by the
 * Allocate state's policy — with the start-up costs shown apart, and MediaConvert's list price
 * of the same outputs where one was found.
 *
 * Titles: 60 min 1080p24 (8 Mbit/s H.264 mezzanine), 60 min 2160p24 and 120 min 2160p24
 * (25 Mbit/s), default preset ladder. Scenarios per title, on the chosen environment's config
 * (`--env`, default prod: its Map concurrency, turnaround policy and quotas):
 * - default: priority 50, no deadline → the standard turnaround (12× realtime);
 * - deadline 300 s: an explicit five-minute job deadline (the encode phase gets 80% of it);
 * - economy: priority 10 → economy turnaround, Fargate Spot;
 * - cheapest: no time target at all (the cheapest plan that ignores time) — the reference for
 *   the target "default within 25% of the cheapest".
 * Target: the 60-minute 1080p title at default settings in ≤ 5 minutes of encode, at a cost
 * within 25% of the cheapest. Exit 1 when missed.
 */
import { parseArgs } from 'node:util';
import type { JobEstimate, MediaInfo, PlanAllocator, TurnaroundPolicy } from '../lambdas/contracts/index.js';
import { PlanInputSchema } from '../lambdas/contracts/index.js';
import { DEFAULT_SPEED_TABLE } from '../lambdas/core/allocator/index.js';
import { estimateJob } from '../lambdas/core/job-estimate.js';
import { environmentConfig } from '../lib/config/environments.js';

interface Title {
  name: string;
  minutes: number;
  width: number;
  height: number;
  fps: number;
  kbps: number;
}

const TITLES: Title[] = [
  { name: '60 min 1080p', minutes: 60, width: 1920, height: 1080, fps: 24, kbps: 8000 },
  { name: '60 min 2160p', minutes: 60, width: 3840, height: 2160, fps: 24, kbps: 25_000 },
  { name: '120 min 2160p', minutes: 120, width: 3840, height: 2160, fps: 24, kbps: 25_000 },
];

/**
 * MediaConvert on-demand list prices per output minute, as found (no AWS price list was reachable
 * here): us-west-2 Professional tier, AVC ≤ 30 fps single-pass HQ, from a customer's bill quoted in
 * aws-solutions-library-samples/video-on-demand-on-aws#90 (2020-07-04): SD $0.012, HD $0.024; and the
 * Basic tier at > 30 fps (SD $0.015, HD $0.03, 4K $0.06) quoted from aws.amazon.com/mediaconvert/pricing
 * in a 2021-01-23 gist. No ≤ 30 fps Basic-tier or Professional 4K figure was found: those cells say so.
 * AWS has since (2024-09) moved to tiered "normalized minute" pricing; these are the older list prices.
 */
const MEDIACONVERT = {
  professionalAvc30: { sd: 0.012, hd: 0.024, uhd: null as number | null, takenOn: '2020-07-04', source: 'github.com/aws-solutions-library-samples/video-on-demand-on-aws/issues/90 (us-west-2 bill)' },
  basicAvc60: { sd: 0.015, hd: 0.03, uhd: 0.06, takenOn: '2021-01-23', source: 'gist.github.com/0xdeepmehta/2c2f548b19e29ed71e30492c1587770b (quoting aws.amazon.com/mediaconvert/pricing)' },
};

/** MediaConvert's resolution class of an output: SD below 720 lines, HD up to 1080, UHD above. */
function mcClass(height: number): 'sd' | 'hd' | 'uhd' {
  return height < 720 ? 'sd' : height <= 1080 ? 'hd' : 'uhd';
}

function mediaOf(t: Title): MediaInfo {
  const durationSec = t.minutes * 60;
  const frames = Math.round(durationSec * t.fps);
  return {
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: Math.round((t.kbps * 1000 * durationSec) / 8),
    durationSec,
    video: { codec: 'h264', width: t.width, height: t.height, displayWidth: t.width, fps: t.fps, fpsRational: String(t.fps), frames, durationSec, startSec: 0, bitrate: t.kbps * 1000 },
    audio: { codec: 'aac', channels: 2, sampleRate: 48000, durationSec, startSec: 0 },
    audioTracks: [{ codec: 'aac', channels: 2, sampleRate: 48000, durationSec, startSec: 0, index: 0, language: 'und', default: true }],
    subtitles: [],
    notes: [],
  } as MediaInfo;
}

function estimate(t: Title, allocator: PlanAllocator, spec: { priority?: number; deadlineSec?: number }): JobEstimate {
  const plan = PlanInputSchema.parse({
    jobId: 'bench-turnaround',
    source: { key: 'bench/source.mp4' },
    media: mediaOf(t),
    spec: { preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, ...spec },
    workPrefix: '.mosaic/work/bench/',
    outputPrefix: 'bench/',
    parallelism: allocator.maxConcurrency,
    threadsPerTask: 2,
    vmafAvailable: false,
    platforms: { 'encode-video': 'lambda' },
    allocator,
  });
  return estimateJob({ plan, speeds: DEFAULT_SPEED_TABLE });
}

const fmtTime = (s: number) => (s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);
const usd = (n: number) => (n >= 10 ? `$${n.toFixed(2)}` : `$${n.toFixed(3)}`);

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  return [line(cells[0]), width.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { env: { type: 'string', default: 'prod' }, json: { type: 'boolean', default: false } } });
  const env = environmentConfig(values.env!);
  const allocator: PlanAllocator = {
    region: 'us-east-1',
    maxConcurrency: env.mapMaxConcurrency,
    chooseChunks: true,
    turnaround: env.allocator.turnaround,
    quotas: env.allocator.quotas,
  };
  const timeless: TurnaroundPolicy = {
    ...env.allocator.turnaround,
    classes: { ...env.allocator.turnaround.classes, standard: { ...env.allocator.turnaround.classes.standard, realtimeFactor: null } },
  };
  const scenarios = [
    { name: 'default', spec: {}, allocator },
    { name: 'deadline 300 s', spec: { deadlineSec: 300 }, allocator },
    { name: 'economy (Spot)', spec: { priority: 10 }, allocator },
    { name: 'cheapest (no target)', spec: {}, allocator: { ...allocator, turnaround: timeless } },
  ];

  const rows: (string | number)[][] = [];
  const results: Record<string, Record<string, JobEstimate>> = {};
  const mc: string[] = [];
  for (const t of TITLES) {
    results[t.name] = {};
    for (const s of scenarios) {
      const e = estimate(t, s.allocator, s.spec);
      results[t.name][s.name] = e;
    }
    const cheapest = results[t.name]['cheapest (no target)'];
    for (const s of scenarios) {
      const e = results[t.name][s.name];
      const top = e.rungs[0];
      const size = top.platform === 'lambda' ? `λ ${top.memoryMiB} MB` : `F ${top.vcpu} vCPU/${top.memoryMiB / 1024} GiB`;
      const target = e.turnaround?.targetSec ? `${fmtTime(e.turnaround.targetSec)}${e.turnaround.met ? '' : ' MISSED'}` : '—';
      const startup = e.startup!;
      rows.push([
        t.name,
        s.name,
        `${e.turnaround?.class ?? '?'}/${e.capacity ?? 'on-demand'}`,
        target,
        `${e.chunks}×${e.rungs.length}`,
        e.chunkSeconds.toFixed(0),
        size,
        fmtTime(e.encodeSeconds),
        usd(e.totalUsd),
        `${((e.totalUsd / cheapest.totalUsd - 1) * 100).toFixed(1)}%`,
        `${startup.secondsPerTask.toFixed(0)} s`,
        usd(startup.billedUsd),
        usd(startup.orchestrationUsd),
        e.limitedBy ?? '—',
      ]);
    }
    // MediaConvert: every video rung is one output of the title's length.
    const rungs = results[t.name].default.rungs;
    const price = (p: { sd: number; hd: number; uhd: number | null }) => {
      const per = rungs.map((r) => p[mcClass(r.height)]);
      return per.some((x) => x === null) ? null : per.reduce((sum: number, x) => sum + x! * t.minutes, 0);
    };
    const pro = price(MEDIACONVERT.professionalAvc30);
    const basic = price(MEDIACONVERT.basicAvc60);
    mc.push(
      `  ${t.name} (${rungs.map((r) => `${r.height}p`).join(', ')}): Professional AVC ≤30 fps ${pro === null ? 'no published 4K price found' : usd(pro)}; Basic AVC >30 fps ${basic === null ? 'n/a' : usd(basic)}; Mosaic default ${usd(results[t.name].default.totalUsd)}`,
    );
  }

  if (values.json) {
    console.log(JSON.stringify({ env: env.name, results }, null, 2));
  } else {
    console.log(`Turnaround on AWS (${env.name} config: Map concurrency ${env.mapMaxConcurrency}, Lambda ${env.allocator.quotas.lambda.concurrentExecutions} at once, Fargate ${env.allocator.quotas.fargate.onDemandVcpu} on-demand / ${env.allocator.quotas.fargate.spotVcpu} Spot vCPU; us-east-1 prices, default speed table, default preset)\n`);
    console.log(
      table(['title', 'scenario', 'class/capacity', 'target', 'tasks', 'chunk s', 'top-rung size', 'encode', 'cost', 'vs cheapest', 'start/task', 'start $', 'SFN $', 'limited by'], rows),
    );
    console.log('\nstart/task: platform start per task (Fargate provisioning + image pull, Lambda cold start); start $: its billed part over all tasks; SFN $: Step Functions transitions and the Allocate Lambda. All inside cost.');
    console.log(`\nMediaConvert list price of the same video outputs (per output minute; ${MEDIACONVERT.professionalAvc30.takenOn} ${MEDIACONVERT.professionalAvc30.source}; ${MEDIACONVERT.basicAvc60.takenOn} ${MEDIACONVERT.basicAvc60.source}):`);
    console.log(mc.join('\n'));
  }

  const hd = results['60 min 1080p'];
  const d = hd.default;
  const ok = d.encodeSeconds <= 300 && d.totalUsd <= hd['cheapest (no target)'].totalUsd * 1.25;
  console.log(
    `\ntarget: 60 min 1080p at default settings ≤ 5 min encode (${fmtTime(d.encodeSeconds)}) within 25% of the cheapest plan (${usd(d.totalUsd)} vs ${usd(hd['cheapest (no target)'].totalUsd)}, +${((d.totalUsd / hd['cheapest (no target)'].totalUsd - 1) * 100).toFixed(1)}%): ${ok ? 'MET' : 'MISSED'}`,
  );
  return ok ? 0 : 1;
}
