// Compliance (issue 6), the DNC list's CSV at scale and its formula guard:
// POST /api/dnc/import takes a national-registry-sized text/csv body past the
// 1 MiB JSON body limit (spooled to a temporary file, not held in memory), and the
// export guards cells a spreadsheet would run as formulas (= + - @ tab CR get
// a leading ') with the calls export's own cell writer; E.164 numbers start
// with '+', so the import takes the guard off again and the list round-trips.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, expectProblem } from './harness.mjs';

let srv, admin, otherAdmin, viewer;
const req = (method, path, token, body, headers) => srv.req(method, path, { token, body, headers });
const csvPost = (token, raw, query = '') =>
  srv.req('POST', `/api/dnc/import${query}`, { token, raw, headers: { 'Content-Type': 'text/csv' } });

function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') q = false; else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

before(async () => {
  srv = await new Server().start();
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  otherAdmin = srv.token('beta', 'admin', 'admin@beta.test');
});
after(() => srv.stop());

describe('large import', () => {
  test('a registry snapshot over 1 MiB imports whole; the JSON limit still holds elsewhere', async () => {
    const N = 30000;
    const pad = 'registry snapshot row with padding to make the body large enough';
    const lines = ['number,reason,channels'];
    for (let i = 0; i < N; i++) lines.push(`+1212${2000000 + i},${pad},call;sms`);
    lines.push('not a number,x,call');
    const body = lines.join('\r\n') + '\r\n';
    assert.ok(body.length > 2 * (1 << 20), `body is ${body.length} bytes`);
    const r = await csvPost(admin, body, '?source=registry&registryDate=2026-01-10');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.imported, N);
    assert.equal(r.json.invalid, 1);
    assert.equal(r.json.invalidLines[0].line, N + 2);
    assert.equal(r.json.status.entries, N);
    assert.equal(r.json.status.registryDate, '2026-01-10T00:00:00.000Z');
    // The same body as multipart (a browser's file input) is spooled the same way.
    const fd = new FormData();
    fd.append('file', new Blob([body], { type: 'text/csv' }), 'registry.csv');
    const res = await fetch(`${srv.base}/api/dnc/import`, { method: 'POST', headers: { Authorization: `Bearer ${otherAdmin}` }, body: fd });
    const j = await res.json();
    assert.equal(res.status, 200, JSON.stringify(j).slice(0, 500));
    assert.deepEqual([j.imported, j.updated, j.invalid], [N, 0, 1]);
    // Who may upload is decided before the body is spooled; a JSON route keeps the 1 MiB limit.
    const denied = await csvPost(viewer, body);
    expectProblem(assert, denied, 403);
    assert.match(denied.json.detail, /viewer role may not/);
    const anon = await csvPost(undefined, body);
    expectProblem(assert, anon, 401);
    assert.match(anon.json.detail, /sign in/);
    assert.equal((await req('GET', '/api/dnc/import?format=json', admin)).json.status.entries, N, 'nothing written');
    const big = await srv.req('PATCH', '/api/me', { token: admin, raw: JSON.stringify({ name: 'x'.repeat(2 << 20) }), headers: { 'Content-Type': 'application/json' } });
    expectProblem(assert, big, 413);
  });

  test('an empty upload is a 400 naming the file', async () => {
    const r = await csvPost(admin, '');
    expectProblem(assert, r, 400);
    assert.ok(JSON.stringify(r.json).includes('file'));
  });
});

describe('formula guard', () => {
  const input = [
    'number,reason,source,channels',
    '+13055557001,"=HYPERLINK(""http://evil.test"";""click"")",manual,call',
    '+13055557002,+1 said no,manual,sms',
    '+13055557003,-just no,manual,call;sms',
    '+13055557004,@SUM(A1:A9),manual,call',
    '+13055557005,\ttab first,manual,call',
    "+13055557006,'quoted already,manual,call",
    '+13055557007,plain,manual,call',
  ].join('\r\n') + '\r\n';

  test('export guards formula cells (numbers too) and the guard comes off on import', async () => {
    const w = srv.token('gamma', 'admin', 'admin@gamma.test');
    const w2 = srv.token('delta', 'admin', 'admin@delta.test');
    let r = await csvPost(w, input);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.imported, r.json.invalid], [7, 0]);
    const out = await req('GET', '/api/dnc/import', w);
    assert.equal(out.status, 200);
    const rows = parseCsv(out.text);
    const by = Object.fromEntries(rows.slice(1).map((x) => [x[0], x]));
    assert.deepEqual(Object.keys(by).sort(), [1, 2, 3, 4, 5, 6, 7].map((i) => `'+1305555700${i}`));
    assert.equal(by["'+13055557001"][1], `'=HYPERLINK("http://evil.test";"click")`);
    assert.ok(out.text.includes(`"'=HYPERLINK(""http://evil.test"";""click"")"`), 'quoted, quotes doubled, guard inside');
    assert.equal(by["'+13055557002"][1], "'+1 said no");
    assert.equal(by["'+13055557003"][1], "'-just no");
    assert.equal(by["'+13055557004"][1], "'@SUM(A1:A9)");
    assert.equal(by["'+13055557005"][1], "'\ttab first");
    assert.equal(by["'+13055557006"][1], "'quoted already", 'a quote before no formula character is left alone');
    assert.equal(by["'+13055557007"][1], 'plain');
    // Round trip: into another workspace and out again, byte for byte.
    r = await csvPost(w2, out.text);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.imported, r.json.updated, r.json.invalid], [7, 0, 0]);
    const again = await req('GET', '/api/dnc/import', w2);
    assert.equal(again.text, out.text, 'export -> import -> export is the identity');
    // And the numbers are real numbers again: the imported list gates by number.
    r = await csvPost(w2, "number,reason\r\n'+13055557001,=changed\r\n");
    assert.deepEqual([r.json.imported, r.json.updated, r.json.invalid], [0, 1, 0]);
    const third = parseCsv((await req('GET', '/api/dnc/import', w2)).text);
    assert.deepEqual(third.find((x) => x[0] === "'+13055557001").slice(0, 2), ["'+13055557001", "'=changed"]);
  });
});
