import type { ApiApp, ApiDeps } from '../app.js';

export function registerUploadRoutes(_app: ApiApp, _deps: ApiDeps): void {}
