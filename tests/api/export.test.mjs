// Exports: POST /api/calls/export, GET /api/exports/:jobId and the signed
// download link. The CSV parsed back equals the list's rows for the same
// filters; formula cells are neutralised; times are in the workspace's zone;
// the PDF turned into text holds the rows; expired or tampered links are
// refused; the 11th export of a user's day is refused; a large export is
// announced by e-mail; roles and validation.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Server, cli, expectProblem } from './harness.mjs';
import { ok, listAll, exportReady, parseCsv, unguard } from './bulk_helpers.mjs';

let srv;
const tok = {};
let calls;

async function exportOf(body, token = tok.admin) {
  const r = await ok(srv, 'POST', '/api/calls/export', token, body, 202);
  assert.ok(r.estimatedTime >= 1);
  const s = await exportReady(srv, r.jobId, token);
  assert.equal(s.status, 'ready', JSON.stringify(s));
  assert.match(s.downloadUrl, /^\/api\/exports\/[0-9a-f-]+\/download\?expires=\d+&sig=[A-Za-z0-9_-]+$/);
  return { ...r, ...s };
}

async function download(url, status = 200) {
  const res = await fetch(srv.base + url);
  const buf = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, status, buf.toString());
  return { res, buf };
}

before(async () => {
  srv = new Server({ env: { SWITCHBOARD_TEST_HOOKS: 'true', SWITCHBOARD_EXPORT_EMAIL_ROWS: '50' } });
  assert.equal(cli(['seed', '--calls', '250', '--workspace', 'acme', '--seed', '9'], { dataDir: srv.dataDir }).status, 0);
  await srv.start();
  for (const role of ['owner', 'admin', 'dispatcher', 'tech', 'viewer']) tok[role] = srv.token('acme', role, `${role}@acme.test`);
  calls = await listAll(srv, tok.owner);
});
after(() => srv.stop());

const COLS = ['id', 'startedAt', 'direction', 'fromE164', 'toE164', 'contactName', 'disposition', 'durationSec', 'valueEstCents', 'tags', 'notes', 'outcomeRequired'];

function expectRow(cells, c) {
  const row = Object.fromEntries(COLS.map((k, i) => [k, unguard(cells[i])]));
  assert.equal(row.id, c.id);
  assert.equal(Date.parse(row.startedAt), Date.parse(c.startedAt), `startedAt of ${c.id}`);
  assert.equal(row.direction, c.direction);
  assert.equal(row.fromE164, c.fromE164);
  assert.equal(row.toE164, c.toE164);
  assert.equal(row.contactName, c.contact?.name ?? '');
  assert.equal(row.disposition, c.disposition ?? '');
  assert.equal(row.durationSec, c.durationSec == null ? '' : String(c.durationSec));
  assert.equal(row.valueEstCents, c.valueEstCents == null ? '' : String(c.valueEstCents));
  assert.equal(row.tags, [...c.tags].sort().join('; '));
  assert.equal(row.notes, c.notes ?? '');
  assert.equal(row.outcomeRequired, String(c.outcomeRequired));
}

describe('CSV', () => {
  test('parsed back, it equals the list rows for the same filters', async () => {
    const filters = { direction: 'in', disposition: ['missed', 'booked', 'answered'] };
    const want = await listAll(srv, tok.admin, filters);
    assert.ok(want.length > 20);
    const e = await exportOf({ filters, format: 'csv', columns: COLS });
    assert.equal(e.rows, want.length);
    const { res, buf } = await download(e.downloadUrl);
    assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition'), /attachment; filename="calls-.*\.csv"/);
    const text = buf.toString('utf8');
    assert.ok(text.endsWith('\r\n'));
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], COLS);
    assert.equal(rows.length - 1, want.length);
    want.forEach((c, i) => expectRow(rows[i + 1], c));
  });

  test('the default columns, and every call when there are no filters', async () => {
    const e = await exportOf({ format: 'csv' });
    const rows = parseCsv((await download(e.downloadUrl)).buf.toString('utf8'));
    assert.deepEqual(rows[0].slice(0, 3), ['id', 'startedAt', 'direction']);
    assert.equal(rows.length - 1, calls.length);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), calls.map((c) => c.id));
  });

  test('times are in the workspace zone, with the offset', async () => {
    const e = await exportOf({ format: 'csv', columns: ['id', 'startedAt'], filters: { direction: 'in' } });
    const rows = parseCsv((await download(e.downloadUrl)).buf.toString('utf8')).slice(1);
    for (const [, t] of rows.slice(0, 20)) {
      assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[45]:00$/, 'America/New_York wall time');
    }
  });

  test('formula cells are neutralised; quotes, commas and newlines survive', async () => {
    const evil = ['=HYPERLINK("http://x","y")', '+1+2', '-3', '@SUM(A1)', '\tTab', '\rCR', 'plain, "quoted"\nnext line', 'ok'];
    const ids = calls.slice(0, evil.length).map((c) => c.id);
    for (let i = 0; i < ids.length; i++) await ok(srv, 'PATCH', `/api/calls/${ids[i]}`, tok.dispatcher, { notes: evil[i] });
    await ok(srv, 'PATCH', `/api/calls/${ids[0]}/tags`, tok.dispatcher, { tags: ['-minus'] });
    const e = await exportOf({ format: 'csv', columns: ['id', 'notes', 'tags', 'fromE164'] });
    const text = (await download(e.downloadUrl)).buf.toString('utf8');
    const rows = parseCsv(text);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (let i = 0; i < ids.length; i++) {
      const cell = byId.get(ids[i])[1];
      if (/^[=+\-@\t\r]/.test(evil[i])) assert.equal(cell, `'${evil[i]}`, `guarded ${JSON.stringify(evil[i])}`);
      else assert.equal(cell, evil[i]);
    }
    assert.equal(byId.get(ids[0])[2], "'-minus");
    assert.ok(byId.get(ids[0])[3].startsWith("'+"), 'E.164 numbers start with + and are guarded too');
    assert.ok(text.includes('"\'=HYPERLINK(""http://x"",""y"")"'), 'quotes doubled inside a quoted cell');
  });

  test('a large export is announced by e-mail to its creator', async () => {
    const e = await exportOf({ format: 'csv' }, tok.owner);
    assert.ok(e.rows >= 50);
    const outbox = path.join(srv.dataDir, 'outbox');
    const end = Date.now() + 5000;
    let mail;
    while (Date.now() < end && !mail) {
      if (existsSync(outbox))
        for (const f of readdirSync(outbox)) {
          const t = readFileSync(path.join(outbox, f), 'utf8');
          if (t.includes(e.jobId)) mail = t;
        }
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(mail, 'an e-mail names the export');
    assert.match(mail, /To: owner@acme\.test/);
    assert.match(mail, /export is ready/);
  });
});

describe('PDF', () => {
  test('pdftotext of the report holds the title, the filters, every row and page numbers', async () => {
    const filters = { disposition: 'booked' };
    const want = await listAll(srv, tok.admin, filters);
    assert.ok(want.length > 5);
    const e = await exportOf({ filters, format: 'pdf', columns: ['contactName', 'disposition', 'fromE164', 'startedAt'] });
    const { res, buf } = await download(e.downloadUrl);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(buf.subarray(0, 5).toString(), '%PDF-');
    const file = path.join(srv.dataDir, 'report.pdf');
    writeFileSync(file, buf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.match(text, /Calls export - acme/);
    assert.match(text, /Filters: \{"disposition":"booked"\}/);
    assert.match(text, /Page 1/);
    for (const c of want) {
      if (c.contact?.name) assert.ok(text.includes(c.contact.name), `row of ${c.contact.name}`);
      assert.ok(text.includes(c.fromE164), `number ${c.fromE164}`);
    }
    assert.equal((text.match(/booked/g) || []).length, want.length + 1, 'each row, and the filters line');
  });

  test('a bulk export of selected calls (operation export) is a PDF or CSV of exactly those calls', async () => {
    const ids = calls.slice(40, 45).map((c) => c.id);
    const { jobId, affectedCount } = await ok(srv, 'POST', '/api/calls/bulk', tok.admin, { callIds: ids, operation: 'export', data: { format: 'csv', columns: ['id'] } }, 202);
    assert.equal(affectedCount, 5);
    const s = await exportReady(srv, jobId, tok.admin);
    assert.equal(s.status, 'ready');
    const rows = parseCsv((await download(s.downloadUrl)).buf.toString('utf8'));
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ids);
    const job = (await ok(srv, 'GET', `/api/bulk-jobs/${jobId}`, tok.admin));
    assert.equal(job.status, 'completed');
  });
});

describe('download links', () => {
  let url;
  before(async () => { url = (await exportOf({ format: 'csv', columns: ['id'] })).downloadUrl; });

  test('a link works without credentials, repeatedly', async () => {
    await download(url);
    await download(url);
  });

  test('tampered links are 403', async () => {
    const u = new URL(srv.base + url);
    const sig = u.searchParams.get('sig');
    const bad = [
      url.replace(/sig=[^&]+/, `sig=${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`),
      url.replace(/expires=(\d+)/, (m, e) => `expires=${Number(e) + 1000}`),
      url.replace(/\/exports\/[^/]+\//, '/exports/01a00000-0000-7000-8000-000000000000/'),
      url.replace(/&sig=[^&]+/, ''),
      url.replace(/expires=\d+/, 'expires=abc'),
    ];
    for (const b of bad) {
      const r = await srv.req('GET', b);
      expectProblem(assert, r, 403);
    }
  });

  test('an expired link is 410', async () => {
    await ok(srv, 'POST', '/api/test/clock', tok.owner, { advanceMs: 2 * 86400000 });
    try {
      const r = await srv.req('GET', url);
      expectProblem(assert, r, 410);
    } finally {
      await ok(srv, 'POST', '/api/test/clock', tok.owner, { offsetMs: 0 });
    }
    await download(url);
  });
});

describe('limits, roles and validation', () => {
  test('the 11th export of a user in a day is 429 with Retry-After', async () => {
    const token = srv.token('acme', 'admin', 'limit@acme.test');
    for (let i = 0; i < 10; i++) await ok(srv, 'POST', '/api/calls/export', token, { format: 'csv', columns: ['id'], filters: { direction: 'out' } }, 202);
    const r = await srv.req('POST', '/api/calls/export', { token, body: { format: 'csv' } });
    expectProblem(assert, r, 429);
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra > 80000 && ra <= 86401, `Retry-After ${ra}`);
    // Someone else may still export.
    await ok(srv, 'POST', '/api/calls/export', tok.owner, { format: 'csv', columns: ['id'] }, 202);
  });

  test('Dispatcher, Tech and Viewer may not export; nobody without a credential', async () => {
    for (const role of ['dispatcher', 'tech', 'viewer']) {
      expectProblem(assert, await srv.req('POST', '/api/calls/export', { token: tok[role], body: { format: 'csv' } }), 403);
      expectProblem(assert, await srv.req('GET', '/api/exports/x', { token: tok[role] }), 403);
    }
    expectProblem(assert, await srv.req('POST', '/api/calls/export', { body: { format: 'csv' } }), 401);
    expectProblem(assert, await srv.req('GET', '/api/exports/x'), 401);
  });

  test('another workspace cannot see an export', async () => {
    const { jobId } = await ok(srv, 'POST', '/api/calls/export', tok.admin, { format: 'csv', columns: ['id'] }, 202);
    const other = srv.token('elsewhere', 'owner', 'o@elsewhere.test');
    expectProblem(assert, await srv.req('GET', `/api/exports/${jobId}`, { token: other }), 404);
  });

  const cases = [
    [{}, 'format'],
    [{ format: 'xlsx' }, 'format'],
    [{ format: 'csv', columns: ['id', 'password'] }, 'columns'],
    [{ format: 'csv', columns: ['id', 'id'] }, 'columns'],
    [{ format: 'csv', columns: 'id' }, 'columns'],
    [{ format: 'csv', columns: [] }, 'columns'],
    [{ format: 'csv', filters: { intent: 'panic' } }, 'filters.intent'],
    [{ format: 'csv', filters: { from: 'yesterday' } }, 'filters.from'],
    [{ format: 'csv', filters: 'all' }, 'filters'],
    [{ format: 'csv', extra: true }, 'extra'],
  ];
  for (const [body, field] of cases) {
    test(`${JSON.stringify(body)} names ${field}`, async () => {
      const r = await srv.req('POST', '/api/calls/export', { token: tok.owner, body });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `fields: ${JSON.stringify(r.json.errors)}`);
    });
  }
});
