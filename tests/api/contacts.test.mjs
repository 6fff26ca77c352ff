// Contacts and linking: contact search (numbers in any format, names, e-mails,
// ranking, the Tech's scope), one contact, and linking a call to an existing or
// a new contact or job, with the audit trail each link leaves. Data comes from
// `switchboard seed --calls`; everything else goes through the API.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli, expectProblem } from './harness.mjs';

let srv;
let owner, admin, dispatcher, tech, viewer, otherOwner;
let techId;
let calls = [];       // every acme call (spam included), list shape
let otherCalls = [];  // every call of the other workspace
const used = new Set(); // calls a test has claimed, so tests do not share fixtures

const CONTACT_KEYS = ['id', 'workspaceId', 'name', 'phones', 'email', 'emails', 'address', 'notes', 'lastSeenAt',
  'doNotContact', 'preferredChannel', 'timeWindows', 'timeZone', 'createdAt', 'updatedAt'];
const UNKNOWN_ID = '01900000-0000-7000-8000-00000000beef';

function seed(slug, n, s) {
  const r = cli(['seed', '--calls', String(n), '--workspace', slug, '--seed', String(s)], { dataDir: srv.dataDir });
  assert.equal(r.status, 0, r.stderr);
}

async function listAll(token) {
  const rows = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const q = `/api/calls?limit=100&spam=true${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const r = await srv.req('GET', q, { token });
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    rows.push(...r.json.data);
    if (!r.json.hasMore) return rows;
    cursor = r.json.nextCursor;
  }
  throw new Error('too many pages');
}

const callerOf = (c) => (c.direction === 'out' ? c.toE164 : c.fromE164);
const post = (path, body, token = dispatcher) => srv.req('POST', path, { token, body });
const search = (q, token = owner, extra = '') =>
  srv.req('GET', `/api/contacts/search?q=${encodeURIComponent(q)}${extra}`, { token });

// True when no contact of the workspace owns the number.
async function numberIsFree(e164) {
  const r = await search(e164, owner, '&limit=50');
  assert.equal(r.status, 200, r.text);
  return !r.json.contacts.some((c) => c.phones.includes(e164));
}

// A call without a contact whose caller's number nobody owns (claimed for one test).
async function freshCall({ unique = false } = {}) {
  for (const c of calls) {
    if (used.has(c.id) || c.contactId) continue;
    const n = callerOf(c);
    if (!/^\+[1-9]\d{7,14}$/.test(n)) continue;
    const same = calls.filter((x) => x.id !== c.id && callerOf(x) === n);
    if (unique && same.length) continue;
    if (same.some((x) => used.has(x.id))) continue;
    if (!(await numberIsFree(n))) continue;
    used.add(c.id);
    for (const x of same) used.add(x.id);
    return c;
  }
  throw new Error('the seed has no more calls without a contact');
}

async function auditOf(callId, token = owner) {
  const r = await srv.req('GET', `/api/audit/calls/${callId}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.events;
}

function assertContactShape(c) {
  assert.deepEqual(Object.keys(c).sort(), [...CONTACT_KEYS].sort());
  assert.match(c.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(Array.isArray(c.phones) && Array.isArray(c.emails) && Array.isArray(c.timeWindows));
  for (const p of c.phones) assert.match(p, /^\+[1-9]\d{7,14}$/);
  assert.equal(typeof c.doNotContact, 'boolean');
  assert.ok(!Number.isNaN(Date.parse(c.createdAt)) && !Number.isNaN(Date.parse(c.updatedAt)));
}

before(async () => {
  srv = new Server();
  seed('acme', 400, 21);
  seed('other', 40, 22);
  await srv.start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  dispatcher = srv.token('acme', 'dispatcher', 'dispatcher@acme.test');
  tech = srv.token('acme', 'tech', 'tech-contacts@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  otherOwner = srv.token('other', 'owner', 'owner@other.test');
  techId = (await srv.req('GET', '/api/me', { token: tech })).json.user.id;
  calls = await listAll(owner);
  otherCalls = await listAll(otherOwner);
  assert.ok(calls.length > 0 && otherCalls.length > 0);
});
after(() => srv.stop());

describe('link-contact: create from the drawer', () => {
  test('the client shape { name, email, address } creates a contact for the caller and links it', async () => {
    const call = await freshCall({ unique: true });
    const r = await post(`/api/calls/${call.id}/link-contact`,
      { name: 'Hermione Vantablack', email: 'hermione@vanta.test', address: '12 Grimmauld Pl' });
    assert.equal(r.status, 200, r.text);
    const c = r.json.call;
    assert.equal(c.id, call.id);
    assert.ok(c.contactId);
    assert.equal(c.contact.id, c.contactId);
    assert.equal(c.contact.name, 'Hermione Vantablack');
    assert.equal(c.contact.email, 'hermione@vanta.test');
    assert.deepEqual(c.contact.phones, [callerOf(call)]);
    // Same shape as GET /api/calls/:id.
    const g = await srv.req('GET', `/api/calls/${call.id}`, { token: dispatcher });
    assert.equal(g.status, 200);
    assert.deepEqual(r.json, g.json);

    const k = await srv.req('GET', `/api/contacts/${c.contactId}`, { token: viewer });
    assert.equal(k.status, 200, k.text);
    assertContactShape(k.json.contact);
    assert.equal(k.json.contact.workspaceId, call.workspaceId);
    assert.equal(k.json.contact.address, '12 Grimmauld Pl');
    assert.deepEqual(k.json.contact.emails, ['hermione@vanta.test']);
    assert.equal(k.json.contact.lastSeenAt, new Date(Date.parse(call.startedAt)).toISOString());

    const events = await auditOf(call.id);
    const linked = events.filter((e) => e.action === 'call.contact_linked');
    assert.equal(linked.length, 1);
    assert.equal(linked[0].target, 'call');
    assert.equal(linked[0].actor, 'dispatcher@acme.test');
    assert.equal(linked[0].source, 'api');
    assert.deepEqual(linked[0].diff.contactId, { from: null, to: c.contactId });
    assert.equal(linked[0].metadata.contactCreated, true);
    assert.equal(linked[0].metadata.contactId, c.contactId);
    assert.equal(typeof linked[0].metadata.otherCallsLinked, 'number');
  });

  test('extra phones in any format are normalized; blank email and address read as absent', async () => {
    const call = await freshCall();
    const r = await post(`/api/calls/${call.id}/new-contact`,
      { name: '  Ottoline Brisk ', email: '', address: '   ', phones: ['(415) 931-7720', '+44 20 7946 0958', callerOf(call)] });
    assert.equal(r.status, 200, r.text);
    const k = (await srv.req('GET', `/api/contacts/${r.json.call.contactId}`, { token: owner })).json.contact;
    assert.equal(k.name, 'Ottoline Brisk');
    assert.equal(k.email, null);
    assert.equal(k.address, null);
    assert.deepEqual(k.emails, []);
    assert.deepEqual(k.phones, [callerOf(call), '+14159317720', '+442079460958']);
  });

  test('a number owned by another contact is a 409 naming that contact', async () => {
    const owned = (await search('(415) 931-7720')).json.contacts.find((c) => c.phones.includes('+14159317720'));
    assert.ok(owned, 'the previous test created the owner');
    const call = await freshCall();
    for (const path of ['link-contact', 'new-contact']) {
      const r = await post(`/api/calls/${call.id}/${path}`, { name: 'Somebody Else', phones: ['415.931.7720'] });
      expectProblem(assert, r, 409);
      assert.ok(r.json.detail.includes(owned.id), r.json.detail);
      assert.ok(r.json.detail.includes('Ottoline Brisk'), r.json.detail);
      assert.ok(r.json.detail.includes('+14159317720'), r.json.detail);
    }
    const g = await srv.req('GET', `/api/calls/${call.id}`, { token: owner });
    assert.equal(g.json.call.contactId, null, 'nothing was written');
    assert.equal((await search('Somebody Else')).json.contacts.length, 0);
  });

  test('the caller\'s number owned by a contact is a 409 too', async () => {
    const linked = calls.find((c) => c.contactId && c.contact && c.contact.phones.includes(callerOf(c)));
    assert.ok(linked, 'the seed has calls linked to their caller');
    const call = calls.find((c) => !c.contactId && callerOf(c) === callerOf(linked));
    const target = call ?? linked; // a call already linked is relinked: the number is still owned
    const r = await post(`/api/calls/${target.id}/new-contact`, { name: 'Duplicate Person' });
    expectProblem(assert, r, 409);
    assert.ok(r.json.detail.includes(linked.contact.id), r.json.detail);
  });

  test('linking gives the contact to the other calls of the number that have none', async () => {
    const byNumber = new Map(); // inbound calls without a contact, by caller
    for (const c of calls) {
      if (c.contactId || used.has(c.id) || c.direction !== 'in') continue;
      const n = c.fromE164;
      if (!byNumber.has(n)) byNumber.set(n, []);
      byNumber.get(n).push(c);
    }
    let group = null;
    for (const [n, g] of byNumber) {
      if (g.length >= 2 && /^\+[1-9]\d{7,14}$/.test(n) && await numberIsFree(n)) { group = g; break; }
    }
    assert.ok(group, 'the seed has a number calling repeatedly without a contact');
    for (const c of calls) if (callerOf(c) === group[0].fromE164) used.add(c.id);
    const [first, ...rest] = group;
    const r = await post(`/api/calls/${first.id}/link-contact`, { name: 'Repeat Caller Zanzibar' });
    assert.equal(r.status, 200, r.text);
    const cid = r.json.call.contactId;
    for (const c of rest) {
      const g = await srv.req('GET', `/api/calls/${c.id}`, { token: owner });
      assert.equal(g.json.call.contactId, cid);
      const ev = (await auditOf(c.id)).filter((e) => e.action === 'call.contact_linked');
      assert.equal(ev.length, 1);
      assert.equal(ev[0].metadata.viaCallId, first.id);
    }
    const mine = (await auditOf(first.id)).find((e) => e.action === 'call.contact_linked');
    assert.equal(mine.metadata.otherCallsLinked, rest.length);
    // Their search rows carry the new name.
    const s = await srv.req('GET', `/api/calls?spam=true&limit=100&search=${encodeURIComponent('Zanzibar')}`, { token: owner });
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json.data.map((c) => c.id).sort(), group.map((c) => c.id).sort());
  });
});

describe('link-contact: an existing contact', () => {
  test('{ contactId } links it; linking again changes nothing', async () => {
    const k = (await search('Hermione Vantablack')).json.contacts[0];
    const call = await freshCall();
    const r = await post(`/api/calls/${call.id}/link-contact`, { contactId: k.id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.contactId, k.id);
    assert.equal(r.json.call.contact.name, 'Hermione Vantablack');
    const again = await post(`/api/calls/${call.id}/link-contact`, { contactId: k.id });
    assert.equal(again.status, 200);
    const events = (await auditOf(call.id)).filter((e) => e.action === 'call.contact_linked');
    assert.equal(events.length, 1, 'the repeat wrote no audit event');
    assert.equal(events[0].metadata.contactCreated, false);
  });

  test('an unknown contact, or another workspace\'s, is 404', async () => {
    const call = calls.find((c) => !used.has(c.id));
    expectProblem(assert, await post(`/api/calls/${call.id}/link-contact`, { contactId: UNKNOWN_ID }), 404);
    const theirs = otherCalls.find((c) => c.contactId);
    assert.ok(theirs, 'the other workspace has contacts');
    expectProblem(assert, await post(`/api/calls/${call.id}/link-contact`, { contactId: theirs.contactId }), 404);
    expectProblem(assert, await srv.req('GET', `/api/contacts/${theirs.contactId}`, { token: owner }), 404);
    expectProblem(assert, await srv.req('GET', `/api/contacts/${UNKNOWN_ID}`, { token: owner }), 404);
    expectProblem(assert, await srv.req('GET', '/api/contacts/not-an-id', { token: owner }), 404);
  });
});

describe('link-contact and new-contact: validation', () => {
  const cases = [
    [{ name: 'A', bogus: 1 }, 'bogus'],
    [{}, 'name'],
    [{ email: 'x@y.test' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 'A', email: 'not-an-email' }, 'email'],
    [{ name: 'A', email: 7 }, 'email'],
    [{ name: 'A', address: ['x'] }, 'address'],
    [{ name: 'A', phones: '+14155550100' }, 'phones'],
    [{ name: 'A', phones: ['12'] }, 'phones'],
    [{ name: 'A', phones: [14155550100] }, 'phones'],
    [{ name: 'A', phones: Array.from({ length: 11 }, (_, i) => `+1415931${String(7700 + i)}`) }, 'phones'],
    [{ contactId: 'nope' }, 'contactId'],
    [{ contactId: 5 }, 'contactId'],
    [{ contactId: UNKNOWN_ID, name: 'A' }, 'contactId'],
  ];
  for (const [body, field] of cases) {
    test(`link-contact ${JSON.stringify(body).slice(0, 60)} is 400 naming ${field}`, async () => {
      const call = calls.find((c) => !used.has(c.id));
      const r = await post(`/api/calls/${call.id}/link-contact`, body);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), r.text);
    });
  }

  test('new-contact always creates: contactId is not a field there', async () => {
    const call = calls.find((c) => !used.has(c.id));
    const r = await post(`/api/calls/${call.id}/new-contact`, { contactId: UNKNOWN_ID });
    expectProblem(assert, r, 400);
    assert.ok(r.json.errors.some((e) => e.field === 'contactId'));
    assert.ok(r.json.errors.some((e) => e.field === 'name'));
  });

  test('no body, a non-object body and malformed JSON are 400', async () => {
    const call = calls.find((c) => !used.has(c.id));
    for (const path of ['link-contact', 'new-contact', 'link-job']) {
      expectProblem(assert, await srv.req('POST', `/api/calls/${call.id}/${path}`, { token: owner }), 400);
      expectProblem(assert, await srv.req('POST', `/api/calls/${call.id}/${path}`, { token: owner, body: [1] }), 400);
      expectProblem(assert, await srv.req('POST', `/api/calls/${call.id}/${path}`,
        { token: owner, raw: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400);
    }
    assert.ok(await srv.healthy());
  });

  test('unknown and other-workspace calls are 404', async () => {
    for (const path of ['link-contact', 'new-contact']) {
      expectProblem(assert, await post(`/api/calls/${UNKNOWN_ID}/${path}`, { name: 'Nobody' }), 404);
      expectProblem(assert, await post(`/api/calls/${otherCalls[0].id}/${path}`, { name: 'Nobody' }), 404);
      expectProblem(assert, await post(`/api/calls/${calls[0].id}/${path}`, { name: 'Nobody' }, otherOwner), 404);
    }
    expectProblem(assert, await post(`/api/calls/${UNKNOWN_ID}/link-job`, { title: 'x' }), 404);
    expectProblem(assert, await post(`/api/calls/${otherCalls[0].id}/link-job`, { title: 'x' }), 404);
  });
});

describe('contact search', () => {
  let quinn, quinnell, digitsTwin;
  before(async () => {
    const a = await freshCall();
    const b = await freshCall();
    const c = await freshCall();
    quinn = (await post(`/api/calls/${a.id}/new-contact`,
      { name: 'Quinn Marlowe', email: 'qm@marlowe.test', phones: ['+1 (650) 931-7720'] })).json.call.contactId;
    quinnell = (await post(`/api/calls/${b.id}/new-contact`,
      { name: 'Ann Quinnell', email: 'ann.q@quin.test' })).json.call.contactId;
    digitsTwin = (await post(`/api/calls/${c.id}/new-contact`, { name: 'Twin Digits', phones: ['+1 212 931 7720'] }))
      .json.call.contactId;
    assert.ok(quinn && quinnell && digitsTwin);
  });

  const ids = (r) => r.json.contacts.map((c) => c.id);

  test('a number in any format finds its owner', async () => {
    for (const q of ['(650) 931-7720', '6509317720', '+16509317720', '+1 650 931 7720', '650.931.7720', '16509317720']) {
      const r = await search(q);
      assert.equal(r.status, 200, r.text);
      assert.equal(ids(r)[0], quinn, `q=${q}`);
      for (const c of r.json.contacts) assertContactShape(c);
    }
  });

  test('a partial number finds every contact holding it', async () => {
    const r = await search('931-7720');
    assert.ok(ids(r).includes(quinn) && ids(r).includes(digitsTwin), r.text);
    const p = await search('9317720');
    assert.ok(ids(p).includes(quinn) && ids(p).includes(digitsTwin));
    assert.ok(!ids(await search('6509317720')).includes(digitsTwin));
  });

  test('names and e-mails match anywhere, case-insensitively; name prefixes rank first', async () => {
    const r = await search('quin');
    assert.ok(ids(r).includes(quinn) && ids(r).includes(quinnell), r.text);
    assert.ok(ids(r).indexOf(quinn) < ids(r).indexOf(quinnell), 'prefix match first');
    assert.equal(ids(await search('MARLOWE'))[0], quinn);
    assert.equal(ids(await search('marlowe quinn'))[0], quinn, 'words in any order');
    assert.equal(ids(await search('qm@marlowe'))[0], quinn);
    assert.ok(ids(await search('quin.test')).includes(quinnell));
    assert.deepEqual(ids(await search('zzqqxx-nobody')), []);
  });

  test('under three characters: a name prefix', async () => {
    const r = await search('Qu', owner, '&limit=50');
    assert.ok(ids(r).includes(quinn), r.text);
    assert.ok(!ids(r).includes(quinnell), 'not a prefix of Ann Quinnell');
    assert.ok(r.json.contacts.every((c) => (c.name || '').toLowerCase().startsWith('qu')));
    assert.ok(ids(await search('q', owner, '&limit=50')).includes(quinn));
  });

  test('limit caps the result; q and limit are validated', async () => {
    assert.ok((await search('a', owner, '&limit=1')).json.contacts.length <= 1);
    let r = await srv.req('GET', '/api/contacts/search', { token: owner });
    expectProblem(assert, r, 400);
    assert.ok(r.json.errors.some((e) => e.field === 'q'));
    for (const q of ['', '   ', 'x'.repeat(201)]) {
      r = await search(q);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === 'q'), `q=${q}`);
    }
    for (const l of ['0', '51', 'abc', '-1', '1.5', '']) {
      r = await search('quin', owner, `&limit=${l}`);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === 'limit'), `limit=${l}`);
    }
    r = await srv.req('GET', '/api/contacts/search?q=%FF%FE', { token: owner });
    expectProblem(assert, r, 400);
  });

  test('quotes and FTS syntax in q are plain text', async () => {
    for (const q of ['"quin', 'quin"', 'a AND b', 'NEAR(x y)', '*quin*', 'qu%', 'col:quin', '\\']) {
      const r = await search(q);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
    }
  });

  test('other workspaces\' contacts never appear', async () => {
    const r = await search('Quinn Marlowe', otherOwner);
    assert.equal(r.status, 200);
    assert.deepEqual(ids(r), []);
    assert.deepEqual(ids(await search('6509317720', otherOwner)), []);
  });

  test('every role may search; a viewer too', async () => {
    for (const t of [owner, admin, dispatcher, viewer]) {
      const r = await search('Quinn Marlowe', t);
      assert.equal(r.status, 200);
      assert.equal(ids(r)[0], quinn);
    }
    expectProblem(assert, await srv.req('GET', '/api/contacts/search?q=quinn'), 401);
  });
});

describe('link-job', () => {
  test('the client shape { title, status: "new", estimateCents } creates a job for the call\'s contact', async () => {
    const call = await freshCall();
    const k = await post(`/api/calls/${call.id}/link-contact`, { name: 'Jobby McJobface' });
    const contactId = k.json.call.contactId;
    const r = await post(`/api/calls/${call.id}/link-job`, { title: 'Replace water heater', status: 'new', estimateCents: 185000 });
    assert.equal(r.status, 200, r.text);
    const c = r.json.call;
    assert.ok(c.jobId);
    assert.equal(c.job.id, c.jobId);
    assert.equal(c.job.title, 'Replace water heater');
    assert.equal(c.job.status, 'new');
    assert.equal(c.job.estimateCents, 185000);
    assert.equal(c.job.contactId, contactId);
    assert.equal(c.contactId, contactId);
    const g = await srv.req('GET', `/api/calls/${call.id}`, { token: owner });
    assert.deepEqual(r.json, g.json);
    const ev = (await auditOf(call.id)).filter((e) => e.action === 'call.job_linked');
    assert.equal(ev.length, 1);
    assert.deepEqual(ev[0].diff.jobId, { from: call.jobId ?? null, to: c.jobId });
    assert.equal(ev[0].metadata.jobCreated, true);
  });

  test('every field of the create form; status defaults to new', async () => {
    const call = await freshCall();
    const r = await post(`/api/calls/${call.id}/link-job`, {
      title: 'Annual service', estimateCents: 0, slotStart: '2030-01-02T09:00:00Z', slotEnd: '2030-01-02T11:30:00Z',
      address: '4 Privet Drive', assignedTo: techId,
    });
    assert.equal(r.status, 200, r.text);
    const j = r.json.call.job;
    assert.equal(j.status, 'new');
    assert.equal(j.estimateCents, 0);
    assert.equal(Date.parse(j.slotStart), Date.parse('2030-01-02T09:00:00Z'));
    assert.equal(Date.parse(j.slotEnd), Date.parse('2030-01-02T11:30:00Z'));
    assert.equal(j.address, '4 Privet Drive');
    assert.equal(j.assignedTo, techId);
    assert.equal(r.json.call.contactId, null);
    // The assignment puts the call in the Tech's scope.
    assert.equal((await srv.req('GET', `/api/calls/${call.id}`, { token: tech })).status, 200);
  });

  test('{ jobId } links an existing job; unknown and other-workspace jobs are 404', async () => {
    const src = calls.find((c) => c.jobId && !used.has(c.id));
    assert.ok(src, 'the seed has jobs');
    const call = await freshCall();
    const r = await post(`/api/calls/${call.id}/link-job`, { jobId: src.jobId });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.jobId, src.jobId);
    assert.equal(r.json.call.job.id, src.jobId);
    const ev = (await auditOf(call.id)).filter((e) => e.action === 'call.job_linked');
    assert.equal(ev.length, 1);
    assert.equal(ev[0].metadata.jobCreated, false);
    expectProblem(assert, await post(`/api/calls/${call.id}/link-job`, { jobId: UNKNOWN_ID }), 404);
    const theirs = otherCalls.find((c) => c.jobId);
    assert.ok(theirs, 'the other workspace has jobs');
    expectProblem(assert, await post(`/api/calls/${call.id}/link-job`, { jobId: theirs.jobId }), 404);
  });

  const cases = [
    [{ title: 'x', nope: true }, 'nope'],
    [{}, 'title'],
    [{ status: 'new' }, 'title'],
    [{ title: '' }, 'title'],
    [{ title: '  ' }, 'title'],
    [{ title: 3 }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ title: 'x', status: 'open' }, 'status'],
    [{ title: 'x', status: 1 }, 'status'],
    [{ title: 'x', estimateCents: -1 }, 'estimateCents'],
    [{ title: 'x', estimateCents: 1.5 }, 'estimateCents'],
    [{ title: 'x', estimateCents: '100' }, 'estimateCents'],
    [{ title: 'x', slotStart: 'tomorrow' }, 'slotStart'],
    [{ title: 'x', slotEnd: 5 }, 'slotEnd'],
    [{ title: 'x', slotStart: '2030-01-02T11:00:00Z', slotEnd: '2030-01-02T09:00:00Z' }, 'slotEnd'],
    [{ title: 'x', address: 9 }, 'address'],
    [{ title: 'x', assignedTo: 'bob' }, 'assignedTo'],
    [{ title: 'x', assignedTo: UNKNOWN_ID }, 'assignedTo'],
    [{ jobId: 'nope' }, 'jobId'],
    [{ jobId: UNKNOWN_ID, title: 'x' }, 'jobId'],
  ];
  for (const [body, field] of cases) {
    test(`link-job ${JSON.stringify(body).slice(0, 70)} is 400 naming ${field}`, async () => {
      const call = calls.find((c) => !used.has(c.id));
      const r = await post(`/api/calls/${call.id}/link-job`, body);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), r.text);
    });
  }

  test('assignedTo must be a member of this workspace', async () => {
    const them = (await srv.req('GET', '/api/me', { token: otherOwner })).json.user.id;
    const call = calls.find((c) => !used.has(c.id));
    const r = await post(`/api/calls/${call.id}/link-job`, { title: 'x', assignedTo: them });
    expectProblem(assert, r, 400);
    assert.ok(r.json.errors.some((e) => e.field === 'assignedTo'));
  });
});

describe('roles', () => {
  test('a viewer reads contacts but may not link', async () => {
    const call = calls.find((c) => !used.has(c.id));
    for (const [path, body] of [['link-contact', { name: 'V' }], ['new-contact', { name: 'V' }], ['link-job', { title: 'V' }]]) {
      expectProblem(assert, await post(`/api/calls/${call.id}/${path}`, body, viewer), 403);
    }
    const g = await srv.req('GET', `/api/calls/${call.id}`, { token: owner });
    assert.equal(g.json.call.contactId, call.contactId);
    assert.equal(g.json.call.jobId, call.jobId);
  });

  test('owner and admin may link', async () => {
    for (const t of [owner, admin]) {
      const call = await freshCall();
      const r = await post(`/api/calls/${call.id}/link-job`, { title: 'By a manager', status: 'scheduled' }, t);
      assert.equal(r.status, 200, r.text);
    }
  });

  test('a Tech works only on calls of their jobs, and sees only those contacts', async () => {
    const mine = await freshCall();
    const notMine = calls.find((c) => !used.has(c.id) && !c.jobId);
    used.add(notMine.id);
    // Before any assignment the Tech sees nothing.
    expectProblem(assert, await post(`/api/calls/${mine.id}/link-contact`, { name: 'Tess Customer' }, tech), 404);
    const j = await post(`/api/calls/${mine.id}/link-job`, { title: 'Tech job', assignedTo: techId }, dispatcher);
    assert.equal(j.status, 200, j.text);
    // A conflict on a number whose owner is not theirs does not name the owner.
    const quinn = (await search('Quinn Marlowe')).json.contacts[0];
    const c = await post(`/api/calls/${mine.id}/new-contact`, { name: 'Y', phones: ['(650) 931-7720'] }, tech);
    expectProblem(assert, c, 409);
    assert.ok(!c.json.detail.includes(quinn.id) && !c.json.detail.includes('Quinn'), c.json.detail);

    // Their call: link and create work.
    const k = await post(`/api/calls/${mine.id}/link-contact`, { name: 'Tess Customer', address: '9 Elm' }, tech);
    assert.equal(k.status, 200, k.text);
    const contactId = k.json.call.contactId;
    const own = await post(`/api/calls/${mine.id}/link-job`, { title: 'Follow-on visit', status: 'scheduled' }, tech);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.call.job.assignedTo, techId, 'a Tech creating a job is assigned to it');

    // Not their call: 404 for every write.
    for (const [path, body] of [['link-contact', { name: 'X' }], ['new-contact', { name: 'X' }], ['link-job', { title: 'X' }]]) {
      expectProblem(assert, await post(`/api/calls/${notMine.id}/${path}`, body, tech), 404);
    }

    // Contacts: theirs yes, anyone else's no.
    assert.equal((await srv.req('GET', `/api/contacts/${contactId}`, { token: tech })).status, 200);
    const found = await search('Tess Customer', tech);
    assert.deepEqual(found.json.contacts.map((x) => x.id), [contactId]);
    expectProblem(assert, await srv.req('GET', `/api/contacts/${quinn.id}`, { token: tech }), 404);
    assert.deepEqual((await search('Quinn Marlowe', tech)).json.contacts, []);
    assert.deepEqual((await search('6509317720', tech)).json.contacts, []);
    assert.deepEqual((await search('Qu', tech)).json.contacts, []);
    expectProblem(assert, await post(`/api/calls/${mine.id}/link-contact`, { contactId: quinn.id }, tech), 404);
    // A seeded job not assigned to them cannot be linked.
    const seededJob = calls.find((x) => x.jobId && x.job && x.job.assignedTo !== techId);
    expectProblem(assert, await post(`/api/calls/${mine.id}/link-job`, { jobId: seededJob.jobId }, tech), 404);
  });
});
