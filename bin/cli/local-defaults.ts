// Imported first by the CLI: Powertools reads these when its singletons are built. EMF metrics
// are for CloudWatch; locally the step records in SQLite hold the timings.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
export {};
