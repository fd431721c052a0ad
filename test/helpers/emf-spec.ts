/**
 * The CloudWatch embedded metric format specification as a checker: what CloudWatch Logs needs
 * to extract metrics from a log line (docs: CloudWatch_Embedded_Metric_Format_Specification).
 * Returns the violations of one document (empty when it conforms).
 */
import { z } from 'zod';

export const EMF_UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as const;

const MetricDirective = z.object({
  Namespace: z.string().min(1).max(1024),
  // Each set at most 30 dimensions; a directive may have an empty Dimensions list.
  Dimensions: z.array(z.array(z.string().min(1)).max(30)),
  Metrics: z.array(z.object({ Name: z.string().min(1).max(1024), Unit: z.enum(EMF_UNITS).optional(), StorageResolution: z.union([z.literal(1), z.literal(60)]).optional() })).max(100),
});
const Root = z.object({ _aws: z.object({ Timestamp: z.number().int().positive(), CloudWatchMetrics: z.array(MetricDirective).min(1) }) }).passthrough();

export function emfViolations(doc: unknown): string[] {
  const parsed = Root.safeParse(doc);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const root = parsed.data as Record<string, unknown> & z.infer<typeof Root>;
  const out: string[] = [];
  for (const d of root._aws.CloudWatchMetrics) {
    for (const set of d.Dimensions)
      for (const key of set) {
        const v = root[key];
        if (typeof v !== 'string' || v.length === 0 || v.length > 1024) out.push(`dimension ${key} must be a non-empty string member of the root, is ${JSON.stringify(v)}`);
      }
    for (const m of d.Metrics) {
      const v = root[m.Name];
      const ok = typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) && v.length <= 100 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
      if (!ok) out.push(`metric ${m.Name} must be a finite number (or up to 100) at the root, is ${JSON.stringify(v)}`);
    }
  }
  return out;
}
