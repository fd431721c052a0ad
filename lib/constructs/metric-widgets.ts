/**
 * CloudWatch metrics and widgets from the metric catalogue (`lambdas/contracts/metrics.ts`): the one
 * place a `cloudwatch.Metric` of Mosaic's own namespace is made, for the dashboards and the alarms alike.
 *
 * Powertools publishes every metric with the default dimensions `Environment` and `service` added to
 * each of the catalogue's dimension sets, so a metric is addressed by exactly one of those sets (plus
 * the two defaults): `catalogueMetric` refuses any other combination, which CloudWatch would answer
 * with an empty graph or an alarm that never fires.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  MetricNames,
  METRICS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  MetricDimensions as D,
  type MetricDimension,
  type MetricName,
  type MetricStatistic,
} from '../../lambdas/contracts/metrics.js';
import { TERMINAL_JOB_STATUSES } from '../../lambdas/contracts/status.js';
import { PlatformSchema } from '../../lambdas/contracts/tasks.js';

/** Powertools' default dimension naming the service (its value is METRICS_SERVICE). */
export const SERVICE_DIMENSION = 'service';

/** Every catalogue name as a property (`M.JobCostUsd` is its own name): widgets pick metrics by key, checked by the compiler. */
export const M = MetricNames;

/** Dimension values the emitters publish (see core/metric-records.ts). */
export const DIMENSION_VALUES = {
  /** A job's terminal status. */
  Outcome: TERMINAL_JOB_STATUSES,
  /** Where a step ran; `cache` for a step served from the result cache. */
  StepPlatform: [...PlatformSchema.options, 'cache'],
  /** Where the allocator placed a task. */
  AllocationPlatform: PlatformSchema.options,
  /** An API answer's status class. */
  StatusClass: ['2xx', '4xx', '5xx'],
} as const;

export type MetricDimensionValues = Partial<Record<MetricDimension, string>>;

export interface CatalogueMetricOptions {
  /** Default: the catalogue's statistic for the metric. */
  statistic?: MetricStatistic | 'SampleCount' | 'Minimum' | `p${number}`;
  /** Default: 5 minutes. */
  period?: Duration;
  label?: string;
  color?: string;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The dimension set of `name` that `dimensions` names exactly; throws when the catalogue publishes no such set. */
export function dimensionSetOf(name: MetricName, dimensions: readonly string[]): readonly MetricDimension[] {
  const sets = METRICS[name].dimensionSets;
  const found = sets.find((set) => sameSet(set, dimensions));
  if (!found)
    throw new Error(
      `${name} is not published with the dimensions {${dimensions.join(', ')}}: its sets are ${sets.map((s) => `{${s.join(', ')}}`).join(', ')} (plus ${D.Environment} and ${SERVICE_DIMENSION})`,
    );
  return found;
}

/**
 * The CloudWatch metric of a catalogue name in one environment: namespace, unit and default
 * statistic from the catalogue, dimensions = Environment + service + exactly one catalogue set.
 */
export function catalogueMetric(environment: string, name: MetricName, dimensions: MetricDimensionValues = {}, options: CatalogueMetricOptions = {}): cloudwatch.Metric {
  const spec = METRICS[name];
  if (D.Environment in dimensions) throw new Error(`${name}: the ${D.Environment} dimension comes from the environment, not the caller`);
  dimensionSetOf(name, Object.keys(dimensions));
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [D.Environment]: environment, [SERVICE_DIMENSION]: METRICS_SERVICE, ...(dimensions as Record<string, string>) },
    statistic: options.statistic ?? spec.statistic,
    // The emitters publish each metric with the catalogue's unit (alarms only see datapoints of it).
    unit: spec.unit as cloudwatch.Unit,
    period: options.period ?? Duration.minutes(5),
    ...(options.label !== undefined ? { label: options.label } : {}),
    ...(options.color !== undefined ? { color: options.color } : {}),
  });
}

/**
 * The catalogue's metrics of one environment, for widgets. Remembers every metric name it was asked
 * for, so a dashboard can prove (and tests check) that it shows the whole catalogue.
 */
export class CatalogueMetrics {
  readonly used = new Set<MetricName>();

  constructor(readonly environment: string) {}

  metric(name: MetricName, dimensions: MetricDimensionValues = {}, options: CatalogueMetricOptions = {}): cloudwatch.Metric {
    this.used.add(name);
    return catalogueMetric(this.environment, name, dimensions, options);
  }

  /** One metric per value of `dimension` (labelled with the value), in a set of the catalogue that has only that dimension. */
  perValue(name: MetricName, dimension: MetricDimension, values: readonly string[], options: Omit<CatalogueMetricOptions, 'label'> = {}): cloudwatch.Metric[] {
    return values.map((v) => this.metric(name, { [dimension]: v }, { ...options, label: v }));
  }

  /** One metric per statistic (labelled with it), e.g. p50/p90/p99 of the same series. */
  statistics(name: MetricName, statistics: readonly NonNullable<CatalogueMetricOptions['statistic']>[], dimensions: MetricDimensionValues = {}, options: Omit<CatalogueMetricOptions, 'statistic' | 'label'> = {}): cloudwatch.Metric[] {
    return statistics.map((statistic) => this.metric(name, dimensions, { ...options, statistic, label: statistic }));
  }

  /**
   * A SEARCH over one dimension set (one line per value combination CloudWatch has seen), for
   * dimensions whose values are open-ended: sizes, routes, error codes. Graphs only (alarms cannot search).
   */
  search(name: MetricName, dimensions: readonly MetricDimension[], options: Omit<CatalogueMetricOptions, 'color'> = {}): cloudwatch.MathExpression {
    this.used.add(name);
    const set = dimensionSetOf(name, dimensions);
    const schema = [METRICS_NAMESPACE, D.Environment, SERVICE_DIMENSION, ...set].join(',');
    const statistic = options.statistic ?? METRICS[name].statistic;
    const query = `{${schema}} MetricName="${name}" ${D.Environment}="${this.environment}" ${SERVICE_DIMENSION}="${METRICS_SERVICE}"`;
    return new cloudwatch.MathExpression({
      expression: `SEARCH('${query}', '${statistic}')`,
      usingMetrics: {},
      period: options.period ?? Duration.minutes(5),
      // One line per value combination, named by its values (CloudWatch dynamic labels).
      label: options.label ?? set.map((d) => "${PROP('Dim." + d + "')}").join(' / '),
    });
  }
}

// ---- widget helpers (plain aws-cdk-lib widgets, one size grid for all dashboards)

export const FULL = 24;
export const HALF = 12;
export const THIRD = 8;
export const HEIGHT = 6;

export interface GraphOptions {
  width?: number;
  height?: number;
  stacked?: boolean;
  view?: cloudwatch.GraphWidgetView;
  right?: cloudwatch.IMetric[];
  leftAnnotations?: cloudwatch.HorizontalAnnotation[];
  leftYAxis?: cloudwatch.YAxisProps;
  period?: Duration;
  statistic?: string;
  setPeriodToTimeRange?: boolean;
}

export function graph(title: string, left: cloudwatch.IMetric[], o: GraphOptions = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left,
    width: o.width ?? THIRD,
    height: o.height ?? HEIGHT,
    ...(o.right ? { right: o.right } : {}),
    ...(o.stacked !== undefined ? { stacked: o.stacked } : {}),
    ...(o.view ? { view: o.view } : {}),
    ...(o.leftAnnotations ? { leftAnnotations: o.leftAnnotations } : {}),
    leftYAxis: o.leftYAxis ?? { min: 0, showUnits: false },
    ...(o.period ? { period: o.period } : {}),
    ...(o.statistic ? { statistic: o.statistic } : {}),
    ...(o.setPeriodToTimeRange !== undefined ? { setPeriodToTimeRange: o.setPeriodToTimeRange } : {}),
  });
}

export function singleValue(title: string, metrics: cloudwatch.IMetric[], width = THIRD): cloudwatch.SingleValueWidget {
  return new cloudwatch.SingleValueWidget({ title, metrics, width, height: HEIGHT, setPeriodToTimeRange: true });
}

export function header(markdown: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown, width: FULL, height: 2 });
}

/** The catalogue's description of a metric, for widget titles. */
export const descriptionOf = (name: MetricName): string => METRICS[name].description;
