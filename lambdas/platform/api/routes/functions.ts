import type { ApiApp, ApiDeps } from '../app.js';

export function registerFunctionRoutes(_app: ApiApp, _deps: ApiDeps): void {}
