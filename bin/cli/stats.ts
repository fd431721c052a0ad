/**
 * `mosaic stats [--since 7d|24h|ISO] [--out DIR] [--json]`: jobs ended, cost and latency of the
 * engine in DIR (its metrics store, `.mosaic/metrics.db`), or of a server with `--api URL`, with a
 * sparkline per row of the hourly or daily trend. `--json` prints the MetricsSummary.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MetricNames, type MetricName, type MetricsSeries, type MetricsSummary } from '../../lambdas/contracts/index.js';
import { SqliteMetricsStore } from '../../local/sqlite-metrics-store.js';
import { apiKeyFromEnv } from '../environment.js';
import { ApiError, JobsApiClient } from './api-client.js';
import { formatStats, parseSince, SinceError, trendPeriod } from './stats-format.js';

import { hasApiFlag, STATE_DIR, STATS_USAGE } from './startup.js';

export { STATS_USAGE };

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}
const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

interface Source {
  summary(since: Date, until: Date): Promise<MetricsSummary>;
  series(metric: MetricName, period: number, since: Date, until: Date): Promise<MetricsSeries>;
  close(): void;
}

function localSource(out: string): Source {
  const file = join(out, STATE_DIR, 'metrics.db');
  // No engine has run in this folder yet: nothing to read, and nothing to create by reading.
  const store = new SqliteMetricsStore(existsSync(file) ? file : ':memory:');
  return {
    summary: (since, until) => store.summary(since, until),
    series: (metric, period, since, until) => store.series({ metric, period, since: since.toISOString() }, until),
    close: () => store.close(),
  };
}

function remoteSource(api: string | undefined, key: string | undefined): Source {
  if (!api || !/^https?:\/\//.test(api)) throw new SinceError('--api needs the server URL, e.g. --api http://127.0.0.1:8787');
  const k = key ?? apiKeyFromEnv();
  if (!k) throw new SinceError('--api needs an API key: --api-key KEY or MOSAIC_API_KEY (mosaic serve prints it)');
  const client = new JobsApiClient(api, k);
  return {
    summary: (since) => client.call<MetricsSummary>('GET', `/v1/metrics/summary?${new URLSearchParams({ since: since.toISOString() })}`),
    series: (metric, period, since) => client.call<MetricsSeries>('GET', `/v1/metrics/series?${new URLSearchParams({ metric, period: String(period), since: since.toISOString() })}`),
    close: () => undefined,
  };
}

export async function statsCommand(args: string[], io: Io = stdio): Promise<number> {
  let source: Source;
  let since: Date;
  let json: boolean;
  try {
    const { values } = parseArgs({
      args,
      options: {
        since: { type: 'string', default: '7d' },
        out: { type: 'string', default: 'mosaic-out' },
        json: { type: 'boolean', default: false },
        api: { type: 'string' },
        'api-key': { type: 'string' },
      },
    });
    since = parseSince(values.since, new Date());
    json = values.json;
    source = hasApiFlag(args) ? remoteSource(values.api, values['api-key']) : localSource(resolve(values.out));
  } catch (e) {
    if (e instanceof SinceError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`mosaic: ${(e as Error).message}\nusage: ${STATS_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const until = new Date();
    const summary = await source.summary(since, until);
    if (json) {
      io.out(`${JSON.stringify(summary)}\n`);
      return 0;
    }
    // The window the answer covers (a server's clock may differ from ours).
    const s = new Date(summary.since);
    const u = new Date(summary.until);
    const period = trendPeriod(s, u);
    const [jobs, cost, endToEnd] = await Promise.all(
      ([MetricNames.JobsEnded, MetricNames.JobCostUsd, MetricNames.JobWallSeconds] as const).map((m) => source.series(m, period.period, s, u)),
    );
    io.out(formatStats(summary, { period, jobs: jobs!, cost: cost!, endToEnd: endToEnd! }));
    return 0;
  } catch (e) {
    if (e instanceof ApiError) {
      io.err(`mosaic: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    source.close();
  }
}
