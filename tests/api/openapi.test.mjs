// openapi.yaml stays true: every route the server answers is described, with
// the right access rule, and nothing is described that the server does not answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli } from './harness.mjs';

let srv;
let doc;
before(async () => {
  srv = await new Server().start();
  doc = (await srv.req('GET', '/api/openapi.json')).json;
});
after(() => srv.stop());

function routeTable() {
  const r = cli(['routes']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((line) => {
    const [method, pattern, access] = line.trim().split(/\s+/);
    return { method, path: pattern.replace(/:([A-Za-z]+)/g, '{$1}'), access };
  });
}

test('every route is in openapi.yaml and every documented operation is routed', () => {
  const routes = routeTable();
  const routed = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const documented = new Set();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of Object.keys(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(m)) documented.add(`${m.toUpperCase()} ${p}`);
    }
  }
  const missing = [...routed].filter((x) => !documented.has(x));
  const extra = [...documented].filter((x) => !routed.has(x));
  assert.deepEqual(missing, [], 'routes missing from openapi.yaml');
  assert.deepEqual(extra, [], 'openapi.yaml documents routes the server does not have');
});

test('public routes need no credential in the document; the rest list 401', () => {
  for (const r of routeTable()) {
    const op = doc.paths[r.path][r.method.toLowerCase()];
    assert.ok(op.operationId, `${r.method} ${r.path} has an operationId`);
    const security = op.security ?? doc.security;
    if (r.access === 'public') {
      assert.deepEqual(security, [], `${r.method} ${r.path} is public`);
    } else {
      assert.ok(security.length > 0, `${r.method} ${r.path} needs a credential`);
      assert.ok(op.responses['401'], `${r.method} ${r.path} documents 401`);
    }
    if (r.access !== 'public' && r.access !== 'signed-in') {
      assert.ok(op.responses['403'], `${r.method} ${r.path} documents 403`);
    }
  }
});

test('path parameters are declared', () => {
  for (const [p, item] of Object.entries(doc.paths)) {
    const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [m, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map((x) => (x.$ref ? doc.components.parameters[x.$ref.split('/').pop()] : x))
        .filter((x) => x.in === 'path').map((x) => x.name);
      for (const n of names) assert.ok(params.includes(n), `${m} ${p} declares {${n}}`);
    }
  }
});
