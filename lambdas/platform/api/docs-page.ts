/**
 * The docs page: one self-contained HTML file (inline CSS and script, no CDN — there may be no
 * network) that reads /openapi.json and lists every operation with its parameters, body and
 * answers, schemas expanded from the document's components.
 */
export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mosaic Jobs API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:960px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}.intro{white-space:pre-wrap;color:#444}
details{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:8px 0}
summary{cursor:pointer;padding:10px 14px;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:62px;font-weight:700}.get{color:#0a7}.post{color:#06c}
.body{padding:0 14px 12px}pre{background:#f1f3f6;padding:10px;overflow:auto;border-radius:4px;font-size:13px}
h3{font-size:14px;margin:12px 0 4px}.tag{color:#888;font-size:12px;margin-left:8px}
</style></head>
<body><main>
<h1 id="title">Mosaic Jobs API</h1>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3).</p>
<div class="intro" id="intro"></div>
<div id="ops">Loading /openapi.json…</div>
</main>
<script>
(async () => {
  const ops = document.getElementById('ops');
  let doc;
  try { doc = await (await fetch('/openapi.json')).json(); } catch (e) { ops.textContent = 'Could not load /openapi.json: ' + e; return; }
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('intro').textContent = doc.info.description || '';
  const resolve = (s, depth = 0) => {
    if (!s || depth > 8) return s;
    if (s.$ref) return resolve(doc.components.schemas[s.$ref.split('/').pop()], depth + 1);
    if (Array.isArray(s)) return s.map((x) => resolve(x, depth + 1));
    if (typeof s !== 'object') return s;
    const out = {};
    for (const [k, v] of Object.entries(s)) out[k] = typeof v === 'object' ? resolve(v, depth + 1) : v;
    return out;
  };
  const el = (tag, props, ...kids) => { const e = document.createElement(tag); Object.assign(e, props); e.append(...kids); return e; };
  const pre = (v) => el('pre', { textContent: JSON.stringify(resolve(v), null, 2) });
  ops.textContent = '';
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = el('div', { className: 'body' });
      if (op.description) body.append(el('p', { textContent: op.description }));
      if (op.parameters && op.parameters.length) body.append(el('h3', { textContent: 'Parameters' }), pre(op.parameters.map((p) => ({ name: p.name, in: p.in, required: !!p.required, schema: p.schema }))));
      const req = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
      if (req) body.append(el('h3', { textContent: 'Request body (application/json)' }), pre(req.schema));
      for (const [code, r] of Object.entries(op.responses || {})) {
        body.append(el('h3', { textContent: code + ' ' + (r.description || '') }));
        const c = r.content && r.content['application/json'];
        if (c) body.append(pre(c.schema));
      }
      const summary = el('summary', {}, el('span', { className: 'm ' + method, textContent: method.toUpperCase() }), path, el('span', { className: 'tag', textContent: op.summary || '' }));
      ops.append(el('details', {}, summary, body));
    }
  }
})();
</script>
</body></html>`;
}
