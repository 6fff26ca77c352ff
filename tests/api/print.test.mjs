// GET /api/calls/:id/print: a one-page PDF call card for each role that may
// download (Owner, Admin, Dispatcher; a Tech for calls of their jobs), with
// the customer, numbers, address, job, notes, tags, transcript excerpt and
// follow-ups, and a QR code; Viewer 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, cli, expectProblem } from './harness.mjs';
import { ok, listAll } from './bulk_helpers.mjs';

let srv;
const tok = {};
let call, techCall, foreignCall;

async function card(id, token) {
  const res = await fetch(`${srv.base}/api/calls/${id}/print`, { headers: { Authorization: `Bearer ${token}` } });
  const buf = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, buf.toString());
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.match(res.headers.get('content-disposition'), /inline; filename="call-.*\.pdf"/);
  const file = path.join(srv.dataDir, `card-${id}.pdf`);
  writeFileSync(file, buf);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.match(info, /Pages:\s+1\n/);
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
}

before(async () => {
  srv = new Server();
  assert.equal(cli(['seed', '--calls', '200', '--workspace', 'acme', '--seed', '21'], { dataDir: srv.dataDir }).status, 0);
  await srv.start();
  for (const role of ['owner', 'admin', 'dispatcher', 'viewer']) tok[role] = srv.token('acme', role, `${role}@acme.test`);
  const calls = await listAll(srv, tok.owner);
  const users = (await ok(srv, 'GET', '/api/users', tok.owner)).users;
  techCall = calls.find((c) => c.job && c.job.techIds.length && c.contact);
  const tech = users.find((u) => u.id === techCall.job.techIds[0]);
  tok.tech = srv.token('acme', 'tech', tech.email);
  foreignCall = calls.find((c) => !c.job || !c.job.techIds.includes(tech.id));
  call = calls.find((c) => c.contact && c.hasTranscript !== false && c.contact.name) ?? calls[0];
  await ok(srv, 'PATCH', `/api/calls/${call.id}`, tok.dispatcher, { notes: 'Gate code 4471, dog in yard', tags: ['water-heater', 'warranty'] });
  await ok(srv, 'POST', `/api/calls/${call.id}/followups`, tok.dispatcher, { type: 'callback', dueAt: new Date(Date.now() + 86400000).toISOString(), note: 'Confirm parts arrived', priority: 'high' }, 201);
});
after(() => srv.stop());

test('the card holds customer, numbers, notes, tags, follow-ups and the link, on one page', async () => {
  const full = (await ok(srv, 'GET', `/api/calls/${call.id}`, tok.owner)).call;
  const text = await card(call.id, tok.owner);
  assert.match(text, /Call card - acme/);
  assert.ok(text.includes(full.contact.name), 'customer name');
  assert.ok(text.includes(full.fromE164) && text.includes(full.toE164), 'numbers');
  assert.ok(text.includes('Gate code 4471, dog in yard'), 'notes');
  assert.ok(text.includes('water-heater') && text.includes('warranty'), 'tags');
  assert.ok(text.includes('Confirm parts arrived'), 'follow-up');
  for (const h of ['Customer', 'Numbers', 'Address', 'Job', 'Notes', 'Tags', 'Transcript (excerpt)', 'Follow-ups']) assert.ok(text.includes(h), h);
  if (full.contact.address) assert.ok(text.includes(full.contact.address.split(',')[0]), 'address');
  if (full.transcript?.text) assert.ok(text.replace(/\s+/g, ' ').includes(full.transcript.text.replace(/\s+/g, ' ').slice(0, 20)), 'transcript');
  assert.ok(text.includes(`/calls/${call.id}`), 'the link the QR code carries');
});

test('the job of a call is on its card', async () => {
  const full = (await ok(srv, 'GET', `/api/calls/${techCall.id}`, tok.owner)).call;
  const text = await card(techCall.id, tok.admin);
  if (full.job.title) assert.ok(text.includes(full.job.title.slice(0, 15)), 'job title');
  assert.ok(text.includes(`status: ${full.job.status}`));
});

test('Owner, Admin, Dispatcher print; a Tech prints calls of their jobs only; Viewer 403', async () => {
  for (const role of ['owner', 'admin', 'dispatcher']) await card(call.id, tok[role]);
  await card(techCall.id, tok.tech);
  expectProblem(assert, await srv.req('GET', `/api/calls/${foreignCall.id}/print`, { token: tok.tech }), 404);
  expectProblem(assert, await srv.req('GET', `/api/calls/${call.id}/print`, { token: tok.viewer }), 403);
  expectProblem(assert, await srv.req('GET', `/api/calls/${call.id}/print`), 401);
});

test('unknown calls and calls of another workspace are 404', async () => {
  expectProblem(assert, await srv.req('GET', '/api/calls/01a00000-0000-7000-8000-000000000000/print', { token: tok.owner }), 404);
  const other = srv.token('other', 'owner', 'o@other.test');
  expectProblem(assert, await srv.req('GET', `/api/calls/${call.id}/print`, { token: other }), 404);
});

test('a call with long notes still fits one page', async () => {
  const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(150);
  await ok(srv, 'PATCH', `/api/calls/${call.id}`, tok.dispatcher, { notes: long });
  await card(call.id, tok.owner);
});
