/**
 * What the CLI needs before it knows which command runs: the usage strings, `--api` detection
 * and the state folder's name. Nothing heavy: `mosaic --help` loads this and little else; each
 * command's module (and the engine, SQLite, the AWS SDK) is imported when that command runs.
 */
export const SERVE_USAGE = 'mosaic serve [--port 8787] [--host 127.0.0.1] [--out DIR] [--max-upload-mb N] [--max-jobs N] [--allow-private-webhooks] [--json] [--verbose]';

export const RULES_USAGE = `  mosaic rules list [--dir DIR] [--json]
  mosaic rules test <rule-name|rule.json> <event.json> [--facts FILE] [--set Name=value] [--dir DIR] [--json]`;

export const EVENTS_USAGE = '  mosaic events put <event.json> [--out DIR] [--json]';

export const CALIBRATE_USAGE = 'mosaic calibrate [--out DIR] [--quick] [--codecs h264,hevc,av1,vp9] [--json]   (time real encodes here; store the speed table)';

export const STATS_USAGE = 'mosaic stats [--since 7d|24h|ISO] [--out DIR] [--json]   (jobs, cost and latency; with --api URL of a server)';

export const NEW_USAGE = 'mosaic new function|workflow|rule-workflow <name> [--dry-run] [--force] [--fargate] [--description TEXT] [--from blank|encode]   (generate a definition and its test)';

export const hasApiFlag = (args: string[]) => args.some((a) => a === '--api' || a.startsWith('--api='));

/** The engine's state folder under an output folder (STATE_DIR of local/engine.ts, which loads the whole engine). */
export const STATE_DIR = '.mosaic';

export const WORKFLOWS_USAGE = `  mosaic workflows list [--json]   (every state-machines/*.asl.json)
  mosaic workflows run <name> --input FILE [--out DIR] [--json]   (e.g. measure with {"of": "<jobId>"}; a job like any other)`;
