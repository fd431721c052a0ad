/** Metric names and dimensions, defined once for handlers and dashboards alike. */
export const METRICS_NAMESPACE = 'Mosaic';
export const MetricNames = {
  FunctionDuration: 'FunctionDuration',
  FunctionFailure: 'FunctionFailure',
  CacheHit: 'CacheHit',
  EncodedFrames: 'EncodedFrames',
} as const;
export const MetricDimensions = { Function: 'Function' } as const;
