// The Calls page client's own requests, exactly as client-contract.md gives
// them: a dispatcher's session in the drawer, cookie-authenticated like the
// browser (no Authorization header, same-origin fetches).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli } from './harness.mjs';

let srv;
let cookie;
const ORIGIN = () => srv.base;

// fetch as the page does: relative /api path, session cookie, Origin of the page on writes.
async function page(method, path, body) {
  const headers = { Cookie: cookie };
  if (method !== 'GET') headers.Origin = ORIGIN();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(srv.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { ok: res.ok, status: res.status, json: text ? JSON.parse(text) : undefined, text };
}

before(async () => {
  srv = new Server();
  assert.equal(cli(['seed', '--calls', '300', '--workspace', 'acme', '--seed', '3'], { dataDir: srv.dataDir }).status, 0);
  assert.equal(cli(['user', 'add', '--workspace', 'acme', '--email', 'dana@acme.test', '--role', 'dispatcher',
    '--password-stdin'], { dataDir: srv.dataDir, input: 'dispatch-me-please\n' }).status, 0);
  await srv.start();
  const login = await srv.req('POST', '/api/auth/login', { body: { email: 'dana@acme.test', password: 'dispatch-me-please' } });
  assert.equal(login.status, 200, login.text);
  cookie = login.headers.get('set-cookie').split(';')[0];
});
after(() => srv.stop());

test('a drawer session: list, open, auto-save, link job, follow-up, notes', async () => {
  // The table's first page, and a second page by cursor.
  const list = await page('GET', '/api/calls?limit=50');
  assert.ok(list.ok);
  assert.equal(list.json.data.length, 50);
  assert.equal(typeof list.json.hasMore, 'boolean');
  const filtered = await page('GET', '/api/calls?limit=50&intent=emergency&intent=quote&hasJob=false&outcomeRequired=true');
  assert.ok(filtered.ok);
  for (const c of filtered.json.data) {
    assert.ok(['emergency', 'quote'].includes(c.intent));
    assert.equal(c.jobId, null);
    assert.equal(c.outcomeRequired, true);
  }

  // Open a call that needs an outcome.
  const target = list.json.data.find((c) => c.outcomeRequired) ?? list.json.data[0];
  const open = await page('GET', `/api/calls/${target.id}`);
  assert.ok(open.ok);
  assert.equal(open.json.call.id, target.id);
  assert.ok('contact' in open.json.call && 'job' in open.json.call && Array.isArray(open.json.call.followUpTasks));

  // Auto-save, three times in a row while the user types.
  const draft = { disposition: 'booked', outcomeAt: new Date().toISOString(), valueEstCents: 32000, tags: ['water-heater'] };
  for (let i = 0; i < 3; i++) {
    const save = await page('PATCH', `/api/calls/${target.id}`, draft);
    assert.ok(save.ok, save.text);
    assert.equal(save.json.call.disposition, 'booked');
    assert.equal(save.json.call.outcomeRequired, false);
  }

  // Create and link a job.
  const job = await page('POST', `/api/calls/${target.id}/link-job`, { title: 'Replace water heater', status: 'new', estimateCents: 32000 });
  assert.ok(job.ok, job.text);
  assert.equal(job.json.call.job.title, 'Replace water heater');
  assert.equal(job.json.call.job.status, 'new');

  // Schedule a follow-up.
  const dueAt = new Date(Date.now() + 3600_000).toISOString();
  const fu = await page('POST', `/api/calls/${target.id}/followups`, { type: 'callback', dueAt, note: 'confirm the slot', priority: 'high' });
  assert.equal(fu.status, 201, fu.text);
  assert.equal(fu.json.followUp.type, 'callback');
  assert.equal(fu.json.followUp.callId, target.id);

  // Save notes alone.
  const notes = await page('PATCH', `/api/calls/${target.id}/tags`, { notes: 'Customer prefers mornings' });
  assert.ok(notes.ok, notes.text);
  assert.equal(notes.json.call.notes, 'Customer prefers mornings');
  assert.deepEqual(notes.json.call.tags, ['water-heater']);

  // The drawer reloads: everything is there, and the audit trail shows one update per real change.
  const reload = await page('GET', `/api/calls/${target.id}`);
  assert.equal(reload.json.call.followUpTasks.length >= 1, true);
  assert.equal(reload.json.call.jobId, job.json.call.job.id);
  const audit = await page('GET', `/api/audit/calls/${target.id}`);
  assert.ok(audit.ok);
  assert.equal(audit.json.events.filter((e) => e.action === 'call.updated').length, 1);
  for (let i = 1; i < audit.json.events.length; i++) {
    assert.ok(audit.json.events[i - 1].createdAt <= audit.json.events[i].createdAt, 'oldest first');
  }
});

test('the cookie session cannot write cross-site', async () => {
  const c = (await page('GET', '/api/calls?limit=1')).json.data[0];
  const res = await fetch(`${srv.base}/api/calls/${c.id}`, {
    method: 'PATCH', headers: { Cookie: cookie, Origin: 'https://evil.example', 'Content-Type': 'application/json' },
    body: JSON.stringify({ notes: 'pwned' }),
  });
  assert.equal(res.status, 403);
});
