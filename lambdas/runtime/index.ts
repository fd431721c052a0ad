export * from './config.js';
export * from './binaries.js';
export * from './ffmpeg-runner.js';
export * from './define-media-function.js';
export * from './observability.js';
export * from './vmaf-model.js';
export * from './step-cost.js';
export * from './speed-table.js';
