/**
 * Metric records as CloudWatch embedded metric format (EMF) on stdout, through Powertools Metrics:
 * in Lambda, CloudWatch Logs extracts them into metrics with no API call. Each record is one EMF
 * document with the catalogue's units and one dimension set per rollup the catalogue names for its
 * scope, each prefixed by the default dimensions (Environment, service). Job and step ids travel as
 * metadata: searchable in Logs Insights, never a dimension.
 */
import { Metrics, MetricUnit as Units } from '@aws-lambda-powertools/metrics';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, MetricDimensions, type MetricName, type MetricRecord, type MetricUnit } from '../contracts/index.js';
import type { MetricsSink } from '../ports.js';
import { logger } from './observability.js';

/**
 * Powertools warns when one key is in several dimension sets; Mosaic's rollups share keys on
 * purpose (Function alone, then Function × Platform × Size), so those warnings are dropped and
 * everything else goes to the logger.
 */
const OVERLAP = /has already been added|is defined as both/;
const emfLogger = {
  debug: () => undefined,
  info: (...a: unknown[]) => logger.info(String(a[0])),
  warn: (...a: unknown[]) => (OVERLAP.test(String(a[0])) ? undefined : logger.warn(String(a[0]))),
  error: (...a: unknown[]) => logger.error(String(a[0])),
};

const UNITS: Record<MetricUnit, (typeof Units)[keyof typeof Units]> = {
  Count: Units.Count,
  Seconds: Units.Seconds,
  Milliseconds: Units.Milliseconds,
  Percent: Units.Percent,
  None: Units.NoUnit,
};

export class EmfMetricsSink implements MetricsSink {
  private readonly metrics: Metrics;

  constructor(environment: string) {
    this.metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE,
      logger: emfLogger,
      defaultDimensions: { [MetricDimensions.Environment]: environment },
    });
  }

  async record(records: MetricRecord[]): Promise<void> {
    for (const r of records) this.publish(r);
  }

  private publish(r: MetricRecord): void {
    const names = Object.keys(r.values) as MetricName[];
    if (!names.length) return;
    // A record's metrics share one scope, hence one list of dimension sets (checked by the catalogue test).
    const sets = METRICS[names[0]].dimensionSets;
    const valued = sets.map((set) => Object.fromEntries(set.map((d) => [d, r.dimensions[d] ?? 'unknown'])));
    // The first set is Powertools' "dimensions", the others extra dimension sets; an empty set
    // publishes the default dimensions alone.
    const [first, ...more] = valued;
    for (const [k, v] of Object.entries(first ?? {})) this.metrics.addDimension(k, v);
    for (const set of more) this.metrics.addDimensions(set);
    for (const [k, v] of Object.entries(r.metadata ?? {})) this.metrics.addMetadata(k, v);
    this.metrics.setTimestamp(new Date(r.at));
    for (const name of names) this.metrics.addMetric(name, UNITS[METRICS[name].unit], r.values[name]!);
    this.metrics.publishStoredMetrics();
  }
}
