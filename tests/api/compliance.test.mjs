// Compliance (issue 6): a contact's do-not-contact state (POST/PATCH/DELETE
// /api/contacts/:id/dnc), the DNC list's CSV import and export (bad lines,
// round trip, multipart, registry age warning), blocked numbers, consent with
// its audit trail, and click-to-call refused by each gate rule (blocked
// number, DNC for calls, quiet hours on the injectable test clock) with the
// Owner's explicit override. Calls are made by signed Twilio inbound webhooks
// from chosen numbers so the recipients' states and zones are known.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli, expectProblem } from './harness.mjs';
import WebSocket from 'ws';
import { postSigned } from './twilio_sign.mjs';

const TOKEN = 'test-auth-token-compliance';
const TRACKING = '+14155550100';
const HOUR = 3600000;
let srv, owner, admin, disp, tech, viewer, otherAdmin;
let sidSeq = 0;
let line = 2000;

const req = (method, path, token, body, headers) => srv.req(method, path, { token, body, headers });
const fresh = (npa) => `+1${npa}555${String(++line).padStart(4, '0')}`;
const setClock = (iso) => req('POST', '/api/test/clock', owner, { offsetMs: Date.parse(iso) - Date.now() });
const resetClock = () => req('POST', '/api/test/clock', owner, { offsetMs: 0 });
const auditOf = async (id) => (await req('GET', `/api/audit/calls/${id}`, owner)).json.events;
const click = (who, id, body) => req('POST', `/api/calls/${id}/click-to-call`, who, body ?? {});

// An inbound call from `from`, as Twilio would post it; returns the Call.
async function inbound(from) {
  const sid = `CA${Date.now()}${String(++sidSeq).padStart(6, '0')}`;
  const r = await postSigned(`${srv.base}/api/webhooks/telephony`, TOKEN,
    { CallSid: sid, AccountSid: 'ACtest', From: from, To: TRACKING, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
  assert.ok(r.status < 300, r.text);
  const list = await req('GET', `/api/calls?limit=100&search=${encodeURIComponent(from.slice(2))}`, owner);
  const row = list.json.data.find((c) => c.callSid === sid);
  assert.ok(row, `call ${sid} listed`);
  return row;
}

// A call from a fresh number of area code npa, with a contact of its own.
async function callWithContact(npa) {
  const call = await inbound(fresh(npa));
  const r = await req('POST', `/api/calls/${call.id}/link-contact`, disp, { name: `Customer ${line}` });
  assert.equal(r.status, 200, r.text);
  return r.json.call;
}

before(async () => {
  srv = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN, SWITCHBOARD_TEST_HOOKS: 'true' } }).start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  disp = srv.token('acme', 'dispatcher', 'disp@acme.test');
  tech = srv.token('acme', 'tech', 'tech@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  otherAdmin = srv.token('beta', 'admin', 'admin@beta.test');
  for (const [t, phone] of [[owner, '+14155553001'], [disp, '+14155553002'], [admin, '+14155553003']]) {
    assert.equal((await req('PATCH', '/api/me', t, { phone })).status, 200);
  }
  const n = await req('POST', '/api/numbers', admin, { e164: TRACKING });
  assert.equal(n.status, 201, n.text);
  // Midday on a Wednesday in every US zone, unless a test moves the clock.
  await setClock('2026-01-14T19:00:00Z');
});
after(() => srv.stop());

describe('blocked numbers', () => {
  test('CRUD (Admin+), idempotent add, validation, roles', async () => {
    let r = await req('POST', '/api/blocked-numbers', admin, { number: '(212) 555-2999', reason: 'Harassing calls' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.blockedNumber.number, '+12125552999');
    assert.equal(r.json.blockedNumber.reason, 'Harassing calls');
    assert.equal(r.json.blockedNumber.source, 'manual');
    assert.ok(Date.parse(r.json.blockedNumber.createdAt));
    r = await req('POST', '/api/blocked-numbers', owner, { number: '+12125552999', reason: 'again' });
    assert.equal(r.status, 200, 'already blocked: the existing row');
    assert.equal(r.json.blockedNumber.reason, 'Harassing calls');
    r = await req('GET', '/api/blocked-numbers', admin);
    assert.equal(r.status, 200);
    assert.ok(r.json.data.some((b) => b.number === '+12125552999'));
    for (const t of [disp, tech, viewer]) {
      expectProblem(assert, await req('GET', '/api/blocked-numbers', t), 403);
      expectProblem(assert, await req('POST', '/api/blocked-numbers', t, { number: '+12125552998' }), 403);
      expectProblem(assert, await req('DELETE', '/api/blocked-numbers/%2B12125552999', t), 403);
    }
    expectProblem(assert, await req('GET', '/api/blocked-numbers'), 401);
    for (const body of [{}, { number: 'abc' }, { number: 12 }, { number: '+12125552998', source: 'bogus' }, { number: '+12125552998', colour: 1 }]) {
      const bad = await req('POST', '/api/blocked-numbers', admin, body);
      expectProblem(assert, bad, 400);
      assert.ok(bad.json.errors.length > 0);
    }
    assert.equal((await req('GET', '/api/blocked-numbers', otherAdmin)).json.data.length, 0, 'per workspace');
    expectProblem(assert, await req('DELETE', '/api/blocked-numbers/%2B12125552999', otherAdmin), 404);
    r = await req('DELETE', '/api/blocked-numbers/(212)%20555-2999', admin);
    assert.equal(r.status, 204, r.text);
    expectProblem(assert, await req('DELETE', '/api/blocked-numbers/%2B12125552999', admin), 404);
    assert.ok(!(await req('GET', '/api/blocked-numbers', admin)).json.data.some((b) => b.number === '+12125552999'));
  });

  test('click-to-call to a blocked number is refused, even for an Owner asking to override', async () => {
    const call = await inbound(fresh(212));
    assert.equal((await click(disp, call.id)).status, 200, 'allowed before blocking');
    assert.equal((await req('POST', '/api/blocked-numbers', admin, { number: call.fromE164 })).status, 201);
    let r = await click(disp, call.id);
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /blocked_number/);
    r = await click(owner, call.id, { override: true });
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /not overridable/);
    const denied = (await auditOf(call.id)).filter((e) => e.action === 'compliance.denied');
    assert.equal(denied.length, 2);
    for (const e of denied) assert.equal(e.metadata.rule, 'blocked_number');
    assert.equal(denied[1].metadata.overrideRequested, true);
    assert.equal((await req('DELETE', `/api/blocked-numbers/${encodeURIComponent(call.fromE164)}`, admin)).status, 204);
    assert.equal((await click(disp, call.id)).status, 200, 'allowed again once unblocked');
  });
});

describe('contact do-not-contact', () => {
  test('POST/PATCH/DELETE per channel: the gate follows; the contact flag means all channels', async () => {
    const call = await callWithContact(312);
    const cid = call.contact.id;
    let r = await req('POST', `/api/contacts/${cid}/dnc`, disp, { reason: 'No calls please', channels: ['call'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.dnc.channels, ['call']);
    assert.equal(r.json.dnc.listed, true);
    assert.equal(r.json.dnc.doNotContact, false, 'calls only: not the all-channel flag');
    assert.equal(r.json.dnc.reason, 'No calls please');
    assert.equal(r.json.dnc.source, 'manual');
    assert.equal(r.json.dnc.expiresAt, null);
    assert.deepEqual(r.json.dnc.numbers, [call.fromE164]);
    r = await click(disp, call.id);
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /dnc_list/);

    r = await req('PATCH', `/api/contacts/${cid}/dnc`, disp, { channels: ['sms'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.dnc.channels, ['sms']);
    assert.equal(r.json.dnc.reason, 'No calls please', 'PATCH keeps what it is not given');
    assert.equal((await click(disp, call.id)).status, 200, 'SMS-only DNC lets calls through');

    r = await req('PATCH', `/api/contacts/${cid}/dnc`, disp, { channels: ['call', 'sms'], reason: null });
    assert.equal(r.json.dnc.doNotContact, true);
    assert.equal(r.json.dnc.reason, null);
    const c = (await req('GET', `/api/calls/${call.id}`, disp)).json.call;
    assert.equal(c.doNotContact, true);
    assert.equal(c.contact.doNotContact, true);
    r = await click(disp, call.id, { override: true });
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /do_not_contact.*Owner/);
    r = await click(owner, call.id, { override: true });
    assert.equal(r.status, 200, r.text);
    const events = await auditOf(call.id);
    const over = events.filter((e) => e.action === 'compliance.overridden');
    assert.equal(over.length, 1);
    assert.deepEqual(over[0].metadata.objections, ['do_not_contact', 'dnc_list']);
    assert.equal(over[0].actor, 'owner@acme.test');

    expectProblem(assert, await req('DELETE', `/api/contacts/${cid}/dnc`, tech), 403);
    r = await req('DELETE', `/api/contacts/${cid}/dnc`, disp);
    assert.equal(r.status, 204, r.text);
    expectProblem(assert, await req('DELETE', `/api/contacts/${cid}/dnc`, disp), 404);
    expectProblem(assert, await req('PATCH', `/api/contacts/${cid}/dnc`, disp, { reason: 'x' }), 404);
    assert.equal((await req('GET', `/api/calls/${call.id}`, disp)).json.call.doNotContact, false);
    assert.equal((await click(disp, call.id)).status, 200);
  });

  test('an expiring DNC stops counting once it expires (test clock)', async () => {
    const call = await callWithContact(415);
    const cid = call.contact.id;
    const r = await req('POST', `/api/contacts/${cid}/dnc`, disp, { expiresAt: '2026-01-14T20:00:00Z' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.dnc.doNotContact, false, 'temporary: not the permanent flag');
    assert.equal(r.json.dnc.expiresAt, '2026-01-14T20:00:00.000Z');
    expectProblem(assert, await click(disp, call.id), 403);
    await setClock('2026-01-14T20:30:00Z');
    try {
      assert.equal((await click(disp, call.id)).status, 200, 'expired');
    } finally {
      await setClock('2026-01-14T19:00:00Z');
    }
  });

  test('validation, roles, tenancy; audited and announced', async () => {
    const call = await callWithContact(206);
    const cid = call.contact.id;
    for (const body of [{ channels: [] }, { channels: ['fax'] }, { channels: 'call' }, { expiresAt: '2020-01-01T00:00:00Z' },
      { expiresAt: 'soon' }, { source: 'bogus' }, { reason: 5 }, { colour: 'red' }]) {
      expectProblem(assert, await req('POST', `/api/contacts/${cid}/dnc`, disp, body), 400);
    }
    for (const t of [viewer, tech]) {
      expectProblem(assert, await req('POST', `/api/contacts/${cid}/dnc`, t, {}), 403);
      expectProblem(assert, await req('PATCH', `/api/contacts/${cid}/dnc`, t, { reason: 'x' }), 403);
    }
    expectProblem(assert, await req('POST', `/api/contacts/${cid}/dnc`, otherAdmin, {}), 404);
    expectProblem(assert, await req('POST', '/api/contacts/not-an-id/dnc', disp, {}), 404);
    expectProblem(assert, await req('POST', `/api/contacts/${cid}/dnc`), 401);
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${disp}`);
    const seen = [];
    ws.on('message', (m) => seen.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    const r = await srv.req('POST', `/api/contacts/${cid}/dnc`, { token: disp });
    assert.equal(r.status, 200, 'no body at all: the defaults');
    for (const end = Date.now() + 3000; Date.now() < end && !seen.some((e) => e.data?.callId === call.id);) {
      await new Promise((res) => setTimeout(res, 20));
    }
    ws.close();
    const ann = seen.find((e) => e.type === 'call_updated' && e.data?.callId === call.id);
    assert.ok(ann, 'announced on the contact\'s calls');
    assert.equal(ann.data.action, 'contact.dnc_set');
    assert.deepEqual(ann.data.changes.doNotContact, { from: false, to: true });
    assert.deepEqual(r.json.dnc.channels, ['call', 'sms']);
    assert.equal(r.json.dnc.doNotContact, true);
    const ev = (await auditOf(call.id)).filter((e) => e.action === 'contact.dnc_set');
    assert.equal(ev.length, 0, 'the contact change is audited on the contact, not the call');
  });
});

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

describe('DNC import and export', () => {
  const csv = [
    'number,reason,source,channels,expiresAt',
    '(212) 555-4001,"Asked twice, politely",,call;sms,',
    '+1 305 555 4002,"Said ""never"" on a call",manual,sms,2027-01-01',
    'not a number,whatever,,,',
    '+14155554003,,,fax,',
    '+14155554004,,,call,2020-01-01',
    '+14155554005,,bogus,call,',
    '+14155554006,"multi',
    'line reason",import,call,2027-06-01T12:00:00Z',
    '',
    '+12125554001,duplicate updates,,call,',
  ].join('\r\n') + '\r\n';

  test('import: counts, invalid lines with line numbers and why; roles; media types', async () => {
    const r = await req('POST', '/api/dnc/import', admin, undefined, { 'Content-Type': 'text/csv' });
    expectProblem(assert, r, 400);
    const before = (await req('GET', '/api/dnc/import?format=json', admin)).json.status.entries;
    const ok = await srv.req('POST', '/api/dnc/import', { token: admin, raw: csv, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.imported, 3);
    assert.equal(ok.json.updated, 1);
    assert.equal(ok.json.invalid, 4);
    assert.deepEqual(ok.json.invalidLines.map((l) => l.line), [4, 5, 6, 7]);
    assert.match(ok.json.invalidLines[0].error, /^number/);
    assert.match(ok.json.invalidLines[1].error, /^channels/);
    assert.match(ok.json.invalidLines[2].error, /^expiresAt.*past/);
    assert.match(ok.json.invalidLines[3].error, /^source/);
    assert.deepEqual(ok.json.warnings, []);
    assert.equal(ok.json.status.entries, before + 3);
    for (const t of [disp, tech, viewer]) {
      expectProblem(assert, await srv.req('POST', '/api/dnc/import', { token: t, raw: csv, headers: { 'Content-Type': 'text/csv' } }), 403);
      expectProblem(assert, await req('GET', '/api/dnc/import', t), 403);
    }
    expectProblem(assert, await req('POST', '/api/dnc/import', admin, { number: '+12125554001' }), 415);
    expectProblem(assert, await srv.req('POST', '/api/dnc/import', { token: admin, raw: 'reason,source\r\nx,y\r\n', headers: { 'Content-Type': 'text/csv' } }), 400);
    expectProblem(assert, await srv.req('POST', '/api/dnc/import?source=nope', { token: admin, raw: csv, headers: { 'Content-Type': 'text/csv' } }), 400);
  });

  test('the imported list gates dials per channel', async () => {
    const callOnly = await inbound('+12125554001'); // updated to calls only by the duplicate line
    const r = await click(disp, callOnly.id);
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /dnc_list.*import/);
    const smsOnly = await inbound('+13055554002');
    assert.equal((await click(disp, smsOnly.id)).status, 200, 'an SMS-only entry lets calls through');
  });

  test('export is RFC 4180 CSV with a header; export -> import round trip (text/csv and multipart)', async () => {
    const r = await req('GET', '/api/dnc/import', admin);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /attachment/);
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0], ['number', 'reason', 'source', 'channels', 'expiresAt']);
    const byNum = Object.fromEntries(rows.slice(1).map((x) => [x[0], x]));
    assert.deepEqual(byNum['+12125554001'], ['+12125554001', 'duplicate updates', 'import', 'call', '']);
    assert.deepEqual(byNum['+13055554002'], ['+13055554002', 'Said "never" on a call', 'manual', 'sms', '2027-01-01T00:00:00.000Z']);
    assert.deepEqual(byNum['+14155554006'], ['+14155554006', 'multi\r\nline reason', 'import', 'call', '2027-06-01T12:00:00.000Z']);
    assert.ok(r.text.includes('"Said ""never"" on a call"'), 'quotes doubled inside a quoted field');
    // Into another workspace, through multipart this time: the same list comes back out.
    const fd = new FormData();
    fd.append('note', 'ignored');
    fd.append('file', new Blob([r.text], { type: 'text/csv' }), 'dnc.csv');
    const res = await fetch(`${srv.base}/api/dnc/import`, { method: 'POST', headers: { Authorization: `Bearer ${otherAdmin}` }, body: fd });
    const j = await res.json();
    assert.equal(res.status, 200, JSON.stringify(j));
    assert.deepEqual([j.imported, j.updated, j.invalid], [rows.length - 1, 0, 0]);
    const again = await req('GET', '/api/dnc/import', otherAdmin);
    assert.equal(again.text, r.text, 'export -> import -> export is the identity');
  });

  test('a registry import records its date; older than 31 days warns (and the test clock ages it)', async () => {
    const body = 'number\r\n+12125554100\r\n';
    let r = await srv.req('POST', '/api/dnc/import?source=registry&registryDate=2025-12-01', { token: admin, raw: body, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.imported, 1);
    assert.equal(r.json.warnings.length, 1);
    assert.match(r.json.warnings[0], /registry.*2025-12-01.*31 days/);
    assert.equal(r.json.status.registryDate, '2025-12-01T00:00:00.000Z');
    const status = await req('GET', '/api/dnc/import?format=json', admin);
    assert.equal(status.json.warnings.length, 1);
    const csvGet = await req('GET', '/api/dnc/import', admin);
    assert.match(csvGet.headers.get('x-switchboard-warning'), /registry/);
    assert.ok(csvGet.text.includes('+12125554100,,registry,call;sms,'));
    r = await srv.req('POST', '/api/dnc/import?source=registry', { token: admin, raw: body, headers: { 'Content-Type': 'text/csv' } });
    assert.deepEqual(r.json.warnings, [], 'a fresh snapshot');
    assert.equal(r.json.updated, 1);
    await setClock('2026-02-16T20:00:00Z'); // 33 days and an hour on
    try {
      const aged = await req('GET', '/api/dnc/import?format=json', admin);
      assert.equal(aged.json.warnings.length, 1);
      assert.match(aged.json.warnings[0], /33 days ago/);
    } finally {
      await setClock('2026-01-14T19:00:00Z');
    }
    expectProblem(assert, await srv.req('POST', '/api/dnc/import?registryDate=2025-12-01', { token: admin, raw: body, headers: { 'Content-Type': 'text/csv' } }), 400);
    expectProblem(assert, await req('GET', '/api/dnc/import?format=xml', admin), 400);
  });
});

test('switchboard dnc import|export: the same list as the API', async () => {
  let r = cli(['dnc', 'import', '--workspace', 'acme', '--registry', '--registry-date', '2026-01-10', '-'],
    { dataDir: srv.dataDir, input: 'number,reason\n+12125554200,from the CLI\nnope,bad\n' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 1, updated 0, invalid 1/);
  assert.match(r.stdout, /line 3: number/);
  r = cli(['dnc', 'export', '--workspace', 'acme'], { dataDir: srv.dataDir });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('+12125554200,from the CLI,registry,call;sms,'));
  assert.equal(r.stdout, (await req('GET', '/api/dnc/import', admin)).text);
  assert.equal(cli(['dnc', 'import', '--workspace', 'nope', '-'], { dataDir: srv.dataDir, input: 'number\n' }).status, 2);
  assert.equal(cli(['dnc', 'import', '--workspace', 'acme'], { dataDir: srv.dataDir }).status, 2);
  assert.equal(cli(['dnc', 'frobnicate'], { dataDir: srv.dataDir }).status, 2);
});

describe('consent', () => {
  test('updates call, contact and SMS opt-in with who/when/from/to in the audit trail', async () => {
    const call = await callWithContact(617);
    let r = await req('POST', `/api/compliance/consent/${call.id}`, disp, { recordingConsent: true, smsOptIn: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.consent.recording, true);
    assert.equal(r.json.call.consent.smsOptIn, false);
    assert.ok(Date.parse(r.json.call.consent.lastUpdated));
    let ev = (await auditOf(call.id)).filter((e) => e.action === 'call.consent_updated');
    assert.equal(ev.length, 1);
    assert.equal(ev[0].actor, 'disp@acme.test');
    assert.ok(Date.parse(ev[0].createdAt));
    assert.equal(ev[0].diff.consentRecording.to, 1);
    assert.equal(ev[0].diff.consentSms.to, 0);
    assert.deepEqual(ev[0].metadata.contact, { recordingConsent: { from: null, to: true }, smsOptIn: { from: null, to: false } });
    assert.deepEqual(ev[0].metadata.smsOptStatus, { optedIn: { from: null, to: false } });
    assert.equal(ev[0].metadata.number, call.fromE164);
    r = await req('POST', `/api/compliance/consent/${call.id}`, owner, { smsOptIn: true });
    assert.equal(r.json.call.consent.recording, true, 'unchanged when not given');
    assert.equal(r.json.call.consent.smsOptIn, true);
    ev = (await auditOf(call.id)).filter((e) => e.action === 'call.consent_updated');
    assert.equal(ev.length, 2);
    assert.equal(ev[1].actor, 'owner@acme.test');
    assert.deepEqual(ev[1].diff.consentSms, { from: 0, to: 1 });
    assert.deepEqual(ev[1].metadata.contact, { smsOptIn: { from: false, to: true } });
    assert.deepEqual(ev[1].metadata.smsOptStatus, { optedIn: { from: false, to: true } });
    // The same again changes nothing and records nothing.
    await req('POST', `/api/compliance/consent/${call.id}`, owner, { smsOptIn: true });
    assert.equal((await auditOf(call.id)).filter((e) => e.action === 'call.consent_updated').length, 2);
  });

  test('validation and roles', async () => {
    const call = await inbound(fresh(617));
    for (const body of [{}, { smsOptIn: 'yes' }, { recordingConsent: null }, { consent: true }]) {
      expectProblem(assert, await req('POST', `/api/compliance/consent/${call.id}`, disp, body), 400);
    }
    expectProblem(assert, await req('POST', `/api/compliance/consent/${call.id}`, viewer, { smsOptIn: true }), 403);
    expectProblem(assert, await req('POST', `/api/compliance/consent/${call.id}`, tech, { smsOptIn: true }), 404);
    expectProblem(assert, await req('POST', `/api/compliance/consent/${call.id}`, otherAdmin, { smsOptIn: true }), 404);
    expectProblem(assert, await req('POST', `/api/compliance/consent/${call.id}`, undefined, { smsOptIn: true }), 401);
    const r = await req('POST', `/api/compliance/consent/${call.id}`, disp, { recordingConsent: false });
    assert.equal(r.status, 200, 'a call without a contact still records its own consent');
    assert.equal(r.json.call.consent.recording, false);
  });
});

describe('quiet hours (test clock)', () => {
  test('federal window in the recipient zone; Florida closes at 20:00; Owner override is explicit', async () => {
    const ny = await inbound(fresh(212));
    const la = await inbound(fresh(415));
    const fl = await inbound(fresh(305));
    try {
      await setClock('2026-01-15T02:00:30Z'); // Wed 21:00 in New York, 18:00 in San Francisco
      let r = await click(disp, ny.id);
      expectProblem(assert, r, 403);
      assert.match(r.json.detail, /quiet_hours: it is 21:00 in America\/New_York, outside 08:00-21:00/);
      assert.equal((await click(disp, la.id)).status, 200);
      r = await click(owner, ny.id);
      expectProblem(assert, r, 403, 'no override unless asked');
      r = await click(owner, ny.id, { override: true });
      assert.equal(r.status, 200, r.text);
      const ev = (await auditOf(ny.id)).filter((e) => e.action.startsWith('compliance.'));
      assert.deepEqual(ev.map((e) => e.action), ['compliance.denied', 'compliance.denied', 'compliance.overridden']);
      assert.equal(ev[0].metadata.rule, 'quiet_hours');
      assert.equal(ev[0].metadata.quietHours.region, 'NY');
      assert.deepEqual(ev[0].metadata.quietHours.zones, ['America/New_York']);
      assert.equal(ev[0].metadata.quietHours.localTime, '21:00');
      assert.equal(ev[2].metadata.rule, 'quiet_hours');
      assert.equal(ev[2].metadata.overridden, true);

      await setClock('2026-01-15T01:30:00Z'); // 20:30 Eastern: open in New York, not in Florida
      r = await click(disp, fl.id);
      expectProblem(assert, r, 403);
      assert.match(r.json.detail, /quiet_hours: it is 20:30 in America\/New_York, outside 08:00-20:00/);
      assert.equal((await click(disp, ny.id)).status, 200);

      await setClock('2026-01-14T12:59:00Z'); // 07:59 Eastern
      expectProblem(assert, await click(disp, ny.id), 403);
      await setClock('2026-01-14T13:00:30Z'); // 08:00 Eastern
      assert.equal((await click(disp, ny.id)).status, 200);
    } finally {
      await setClock('2026-01-14T19:00:00Z');
    }
  });
});

test('reset the clock', async () => {
  assert.equal((await resetClock()).status, 200);
});
