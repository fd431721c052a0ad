/** AWS adapters for the ports in ../../ports.ts. */
export * from './s3-blob-store.js';
export * from './dynamo-job-store.js';
export * from './eventbridge-bus.js';
export * from './step-functions-engine.js';
