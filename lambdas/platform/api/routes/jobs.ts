import type { ApiApp, ApiDeps } from '../app.js';

export function registerJobRoutes(_app: ApiApp, _deps: ApiDeps): void {}
