// The call log, call detail, PATCH, tags, triage, audit and disposition rules,
// checked against seeded data. The oracle for every filter is the full list
// (every call, spam included) filtered in JavaScript.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli, expectProblem } from './harness.mjs';

const N = 600;
let srv;
let owner, viewer, dispatcher, other;
let all = [];       // every call, list shape, newest first
let details = {};   // id -> detail shape

async function listAll(token, params = '') {
  const rows = [];
  let cursor = null;
  for (let i = 0; i < 200; i++) {
    const q = `/api/calls?limit=100${params ? '&' + params : ''}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const r = await srv.req('GET', q, { token });
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    rows.push(...r.json.data);
    if (!r.json.hasMore) { assert.equal(r.json.nextCursor, null); return rows; }
    assert.ok(r.json.nextCursor);
    cursor = r.json.nextCursor;
  }
  throw new Error('too many pages');
}

const ids = (rows) => rows.map((c) => c.id);
const byDefaultOrder = (a, b) => (b.startedAt.localeCompare(a.startedAt)) || (b.id.localeCompare(a.id));

async function expectFilter(params, pred, { token = owner, base = all } = {}) {
  const got = await listAll(token, params);
  const want = base.filter(pred).filter((c) => params.includes('spam=') || params.includes('disposition=spam')
    || params.includes('intent=spam') ? true : !c.spam);
  assert.deepEqual(ids(got), ids(want), `filter ${params}`);
  return got;
}

before(async () => {
  srv = new Server();
  const s = cli(['seed', '--calls', String(N), '--workspace', 'acme', '--seed', '7'], { dataDir: srv.dataDir });
  assert.equal(s.status, 0, s.stderr);
  await srv.start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  dispatcher = srv.token('acme', 'dispatcher', 'dispatcher@acme.test');
  other = srv.token('other', 'owner', 'owner@other.test');
  all = await listAll(owner, 'spam=true');
  for (const c of all) {
    const r = await srv.req('GET', `/api/calls/${c.id}`, { token: owner });
    assert.equal(r.status, 200);
    details[c.id] = r.json.call;
  }
});
after(() => srv.stop());

describe('the list', () => {
  test('all seeded calls come back once, newest first, in the contract shape', () => {
    assert.equal(all.length, N);
    assert.equal(new Set(ids(all)).size, N);
    assert.deepEqual(ids(all), ids([...all].sort(byDefaultOrder)));
    const c = all[0];
    for (const k of ['id', 'workspaceId', 'startedAt', 'createdAt', 'direction', 'fromE164', 'toE164', 'agentType',
      'queueStatus', 'outcomeRequired', 'source', 'leadSource', 'tags', 'doNotContact', 'followUps', 'attachments',
      'contact', 'job', 'followUpTasks']) assert.ok(k in c, `call has ${k}`);
    for (const x of all) {
      assert.match(x.fromE164, /^\+[1-9]\d{7,14}$/);
      assert.ok(['in', 'out'].includes(x.direction));
      assert.ok(['ai', 'human'].includes(x.agentType));
      assert.ok(['none', 'triage', 'followup'].includes(x.queueStatus));
      assert.ok(Array.isArray(x.tags));
      if (x.contact) assert.ok(Array.isArray(x.contact.phones));
    }
  });

  test('spam is hidden unless asked; spam=only shows only spam', async () => {
    const def = await listAll(owner);
    assert.deepEqual(ids(def), ids(all.filter((c) => !c.spam)));
    assert.ok(def.length < N, 'seed has spam');
    await expectFilter('spam=only', (c) => c.spam);
  });

  test('limit, default 20, and pages without duplicates or gaps while calls arrive', async () => {
    const first = await srv.req('GET', '/api/calls', { token: owner });
    assert.equal(first.json.data.length, 20);
    assert.equal(first.json.hasMore, true);
    const seen = [];
    let cursor = null;
    let round = 0;
    do {
      const r = await srv.req('GET', `/api/calls?limit=50&spam=true${cursor ? '&cursor=' + cursor : ''}`, { token: owner });
      seen.push(...ids(r.json.data));
      cursor = r.json.hasMore ? r.json.nextCursor : null;
      if (round++ === 2) {
        const s = cli(['seed', '--calls', '25', '--workspace', 'acme', '--seed', '99'], { dataDir: srv.dataDir });
        assert.equal(s.status, 0, s.stderr);
      }
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    for (const id of ids(all)) assert.ok(seen.includes(id), 'no gaps');
    all = await listAll(owner, 'spam=true'); // later tests see the new calls too
    for (const c of all) if (!details[c.id]) details[c.id] = (await srv.req('GET', `/api/calls/${c.id}`, { token: owner })).json.call;
  });

  test('includeTotal counts every match', async () => {
    const r = await srv.req('GET', '/api/calls?limit=5&includeTotal=true&disposition=missed', { token: owner });
    assert.equal(r.json.total, all.filter((c) => c.disposition === 'missed' && !c.spam).length);
    const n = await srv.req('GET', '/api/calls?limit=5', { token: owner });
    assert.equal(n.json.total, undefined);
  });
});

describe('every filter alone', () => {
  const enums = {
    intent: ['emergency', 'routine', 'quote', 'faq', 'billing', 'spam'],
    disposition: ['answered', 'missed', 'booked', 'spam', 'callback'],
    agentType: ['ai', 'human'],
    source: ['phone', 'web_callback', 'manual', 'transfer'],
    leadSource: ['google_maps', 'website', 'referral', 'ad', 'unknown'],
    queueStatus: ['none', 'triage', 'followup'],
    direction: ['in', 'out'],
    status: ['completed', 'no_answer', 'voicemail', 'busy', 'failed'],
  };
  for (const [param, values] of Object.entries(enums)) {
    test(`${param}: each value, and two values OR-ed`, async () => {
      const key = param;
      for (const v of values) await expectFilter(`${param}=${v}&spam=true`, (c) => c[key] === v);
      await expectFilter(`${param}=${values[0]}&${param}=${values[1]}&spam=true`,
        (c) => c[key] === values[0] || c[key] === values[1]);
    });
  }

  test('from/to bound startedAt', async () => {
    const mid = all[Math.floor(all.length / 2)].startedAt;
    const q = all[Math.floor(all.length / 4)].startedAt;
    await expectFilter(`from=${mid}&spam=true`, (c) => c.startedAt >= mid);
    await expectFilter(`to=${mid}&spam=true`, (c) => c.startedAt < mid);
    await expectFilter(`from=${mid}&to=${q}&spam=true`, (c) => c.startedAt >= mid && c.startedAt < q);
  });

  test('valueMin/valueMax and min/maxDuration', async () => {
    await expectFilter('valueMin=20000&spam=true', (c) => c.valueEstCents !== null && c.valueEstCents >= 20000);
    await expectFilter('valueMax=20000&spam=true', (c) => c.valueEstCents !== null && c.valueEstCents <= 20000);
    await expectFilter('minDuration=120&spam=true', (c) => c.durationSec !== null && c.durationSec >= 120);
    await expectFilter('maxDuration=30&spam=true', (c) => c.durationSec !== null && c.durationSec <= 30);
  });

  const flags = {
    hasJob: (c) => c.jobId !== null,
    hasRecording: (c) => c.recordingUrl !== null,
    hasTranscript: (c) => c.hasTranscript,
    dnc: (c) => c.doNotContact,
    outcomeRequired: (c) => c.outcomeRequired,
    afterHours: (c) => c.afterHours,
    firstTimeCaller: (c) => c.firstTimeCaller,
  };
  for (const [param, pred] of Object.entries(flags)) {
    test(`${param}=true|false`, async () => {
      const t = await expectFilter(`${param}=true&spam=true`, pred);
      const f = await expectFilter(`${param}=false&spam=true`, (c) => !pred(c));
      assert.equal(t.length + f.length, all.length);
    });
  }

  test('tag: any of the given tags', async () => {
    const counts = {};
    for (const c of all) for (const t of c.tags) counts[t] = (counts[t] || 0) + 1;
    const tags = Object.keys(counts).sort((a, b) => counts[b] - counts[a]);
    assert.ok(tags.length >= 2, 'seed has tags');
    await expectFilter(`tag=${tags[0]}&spam=true`, (c) => c.tags.includes(tags[0]));
    await expectFilter(`tag=${tags[0]}&tag=${tags[1]}&spam=true`, (c) => c.tags.includes(tags[0]) || c.tags.includes(tags[1]));
    await expectFilter(`tag=${tags[0].toUpperCase()}&spam=true`, (c) => c.tags.includes(tags[0]));
  });

  test('contactId: the caller history', async () => {
    const withContact = all.find((c) => c.contactId && all.filter((x) => x.contactId === c.contactId).length > 1);
    assert.ok(withContact, 'seed has repeat callers');
    await expectFilter(`contactId=${withContact.contactId}&spam=true`, (c) => c.contactId === withContact.contactId);
  });

  test('numberId matches the tracking number', async () => {
    const withNumber = all.find((c) => c.numberId);
    assert.ok(withNumber, 'seed sets tracking numbers');
    const e164 = withNumber.direction === 'in' ? withNumber.toE164 : null;
    await expectFilter(`numberId=${withNumber.numberId}&spam=true`,
      (c) => c.numberId === withNumber.numberId || (e164 && c.toE164 === e164));
  });

  test('assignedTo', async () => {
    const a = all.find((c) => c.assignedTo);
    if (!a) return; // seed may leave every call unassigned
    await expectFilter(`assignedTo=${a.assignedTo}&spam=true`, (c) => c.assignedTo === a.assignedTo);
  });

  test('followUp=none|open|overdue|done', async () => {
    const now = Date.now();
    const fu = (c) => details[c.id].followUps;
    await expectFilter('followUp=open&spam=true', (c) => fu(c).some((f) => f.status === 'open'));
    await expectFilter('followUp=overdue&spam=true', (c) => fu(c).some((f) => f.status === 'open' && Date.parse(f.dueAt) < now));
    await expectFilter('followUp=done&spam=true', (c) => fu(c).some((f) => f.status === 'done'));
    await expectFilter('followUp=none&spam=true', (c) => !fu(c).some((f) => f.status !== 'cancelled'));
  });

  test('search: phone digits in any format, names, notes and transcript text', async () => {
    const c = all.find((x) => x.direction === 'in' && x.fromE164.startsWith('+1'));
    const d = c.fromE164.slice(2); // 10 digits
    const formatted = `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
    const hasDigits = (x, digits) => (x.fromE164 + ' ' + x.toE164).replace(/\D/g, ' ').includes(digits)
      || x.fromE164.replace(/\D/g, '').includes(digits) || x.toE164.replace(/\D/g, '').includes(digits);
    for (const q of [formatted, d, c.fromE164, d.slice(3)]) {
      const digits = q.replace(/\D/g, '');
      const got = await listAll(owner, `spam=true&search=${encodeURIComponent(q)}`);
      assert.deepEqual(ids(got), ids(all.filter((x) => hasDigits(x, digits))), `search ${q}`);
      assert.ok(got.some((x) => x.id === c.id));
    }
    const named = all.find((x) => x.contact && x.contact.name && x.contact.name.length > 5);
    const part = named.contact.name.split(' ').pop().toLowerCase();
    const byName = await listAll(owner, `spam=true&search=${encodeURIComponent(part)}`);
    assert.ok(byName.some((x) => x.id === named.id), 'contact name found');
    const noted = all.find((x) => x.notes && x.notes.length > 12);
    if (noted) {
      const word = noted.notes.slice(0, 10);
      const byNote = await listAll(owner, `spam=true&search=${encodeURIComponent(word)}`);
      assert.ok(byNote.some((x) => x.id === noted.id), 'notes found');
    }
    const transcribed = Object.values(details).find((x) => x.transcript);
    assert.ok(transcribed, 'seed has transcripts');
    const text = JSON.stringify(transcribed.transcript).match(/"text":"([^"]{12,})"/);
    if (text) {
      const phrase = text[1].slice(0, 12);
      const byTranscript = await listAll(owner, `spam=true&search=${encodeURIComponent(phrase)}`);
      assert.ok(byTranscript.some((x) => x.id === transcribed.id), `transcript text "${phrase}" found`);
    }
  });

  test('sort by each key, both orders, through every page', async () => {
    const keys = { startedAt: (c) => Date.parse(c.startedAt), durationSec: (c) => c.durationSec ?? -1,
      valueEstCents: (c) => c.valueEstCents ?? -1, emergencyScore: (c) => c.emergencyScore ?? -1 };
    for (const [sort, key] of Object.entries(keys)) {
      for (const order of ['asc', 'desc']) {
        const got = await listAll(owner, `spam=true&sort=${sort}&order=${order}`);
        const want = [...all].sort((a, b) => {
          const d = key(a) - key(b) || a.id.localeCompare(b.id);
          return order === 'asc' ? d : -d;
        });
        assert.deepEqual(ids(got), ids(want), `sort ${sort} ${order}`);
      }
    }
  });
});

describe('filters combined', () => {
  test('disposition + date range + tag (AND across, OR within)', async () => {
    const from = all[Math.floor(all.length * 0.8)].startedAt;
    const to = all[Math.floor(all.length * 0.1)].startedAt;
    const counts = {};
    for (const c of all) for (const t of c.tags) counts[t] = (counts[t] || 0) + 1;
    const tag = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
    await expectFilter(`disposition=missed&disposition=answered&from=${from}&to=${to}&tag=${tag}`,
      (c) => ['missed', 'answered'].includes(c.disposition) && c.startedAt >= from && c.startedAt < to && c.tags.includes(tag));
    await expectFilter('direction=in&hasJob=false&agentType=human&outcomeRequired=true',
      (c) => c.direction === 'in' && !c.jobId && c.agentType === 'human' && c.outcomeRequired);
  });

  test('triageMode: only calls needing a human, by score, with reasons', async () => {
    const got = await listAll(owner, 'triageMode=true');
    assert.deepEqual(new Set(ids(got)), new Set(ids(all.filter((c) => c.queueStatus !== 'none' && !c.spam))));
    for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].triage.score >= got[i].triage.score, 'ordered by score');
    for (const c of got) {
      assert.ok(['urgent', 'high', 'normal', 'low'].includes(c.triage.band));
      assert.ok(Array.isArray(c.triage.reasons));
    }
    const q = await srv.req('GET', '/api/calls/queue/triage?limit=100', { token: owner });
    assert.equal(q.status, 200);
    assert.deepEqual(ids(q.json.queuedCalls), ids(got.slice(0, 100)));
    const total = q.json.priorities.reduce((s, p) => s + p.count, 0);
    assert.equal(total, got.length);
    assert.deepEqual(q.json.priorities.map((p) => p.band), ['urgent', 'high', 'normal', 'low']);
  });
});

describe('validation', () => {
  const bad = {
    from: 'yesterday', to: '2026-13-01T00:00:00Z', intent: 'panic', disposition: 'maybe', agentType: 'robot',
    valueMin: '-5', valueMax: 'lots', hasJob: 'yes', hasRecording: '1', hasTranscript: 'no', dnc: 'maybe',
    tag: 'x'.repeat(65), numberId: 'not-an-id', source: 'fax', leadSource: 'tv', queueStatus: 'waiting',
    outcomeRequired: 'sure', triageMode: 'on', contactId: '42', limit: '0', cursor: 'garbage!',
    direction: 'sideways', status: 'ringing-ish', afterHours: 'x', firstTimeCaller: 'x', minDuration: '-1',
    maxDuration: 'x', followUp: 'later', spam: 'perhaps', sort: 'name', order: 'up', includeTotal: 'x',
    assignedTo: 'someone', unknownParam: '1',
  };
  for (const [param, value] of Object.entries(bad)) {
    test(`400 names ${param}`, async () => {
      const r = await srv.req('GET', `/api/calls?${param}=${encodeURIComponent(value)}`, { token: owner });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === param), `${param}: ${r.text}`);
    });
  }
  test('limit over 100 and inverted ranges', async () => {
    expectProblem(assert, await srv.req('GET', '/api/calls?limit=101', { token: owner }), 400);
    const r = await srv.req('GET', '/api/calls?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', { token: owner });
    expectProblem(assert, r, 400);
    assert.equal(r.json.errors[0].field, 'to');
    expectProblem(assert, await srv.req('GET', '/api/calls?limit=5&limit=6', { token: owner }), 400);
    assert.ok(await srv.healthy());
  });
});

describe('PATCH a call', () => {
  test('sets the outcome, clears outcomeRequired, leaves triage, audits the diff once', async () => {
    // A call with no open follow-up: one would keep it in the queue (as a follow-up) after its outcome.
    const c = all.find((x) => x.outcomeRequired && !x.spam && x.queueStatus === 'triage' &&
      !(details[x.id].followUps ?? []).some((f) => f.status === 'open'));
    const body = { disposition: 'booked', outcomeAt: '2026-01-05T10:00:00.000Z', valueEstCents: 45000, tags: ['Estimate', 'vip '] };
    const r = await srv.req('PATCH', `/api/calls/${c.id}`, { token: dispatcher, body });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.disposition, 'booked');
    assert.equal(r.json.call.outcomeRequired, false);
    assert.notEqual(r.json.call.queueStatus, 'triage');
    assert.equal(r.json.call.outcomeAt, '2026-01-05T10:00:00.000Z');
    assert.deepEqual([...r.json.call.tags].sort(), ['estimate', 'vip']);
    // The drawer auto-saves the same body again: nothing new is written.
    const again = await srv.req('PATCH', `/api/calls/${c.id}`, { token: dispatcher, body });
    assert.equal(again.status, 200);
    const audit = await srv.req('GET', `/api/audit/calls/${c.id}`, { token: viewer });
    assert.equal(audit.status, 200);
    const updates = audit.json.events.filter((e) => e.action === 'call.updated');
    assert.equal(updates.length, 1);
    assert.equal(updates[0].actor, 'dispatcher@acme.test');
    assert.equal(updates[0].source, 'api');
    assert.deepEqual(updates[0].diff.disposition, { from: c.disposition, to: 'booked' });
    assert.deepEqual(updates[0].diff.valueEstCents, { from: c.valueEstCents, to: 45000 });
    const triage = await srv.req('GET', '/api/calls/queue/triage?limit=100', { token: owner });
    assert.ok(!triage.json.queuedCalls.some((x) => x.id === c.id));
  });

  test('validation errors name their field, and nothing is written', async () => {
    const c = all.find((x) => !x.spam && !x.outcomeRequired); // not the call the previous test patched
    const cases = [
      [{ disposition: 'maybe' }, 'disposition'], [{ valueEstCents: -1 }, 'valueEstCents'],
      [{ valueEstCents: 'ten' }, 'valueEstCents'], [{ outcomeAt: 'now' }, 'outcomeAt'],
      [{ tags: 'vip' }, 'tags'], [{ tags: Array.from({ length: 40 }, (_, i) => `t${i}`) }, 'tags'],
      [{ tags: ['<script>'] }, 'tags'], [{ notes: 'x'.repeat(10001) }, 'notes'], [{ intent: 'x' }, 'intent'],
      [{ assignedTo: '01900000-0000-7000-8000-000000000000' }, 'assignedTo'], [{ priority: 'asap' }, 'priority'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const r = await srv.req('PATCH', `/api/calls/${c.id}`, { token: owner, body });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `${field}: ${r.text}`);
    }
    const now = await srv.req('GET', `/api/calls/${c.id}`, { token: owner });
    assert.deepEqual(now.json.call, details[c.id]);
  });

  test('disposition rules require fields per outcome', async () => {
    expectProblem(assert, await srv.req('POST', '/api/settings/disposition-rules', { token: dispatcher,
      body: { rules: [{ disposition: 'booked', requiredFields: ['jobId'] }] } }), 403);
    const set = await srv.req('POST', '/api/settings/disposition-rules', { token: owner,
      body: { rules: [{ disposition: 'booked', requiredFields: ['valueEstCents', 'notes'] }] } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json.rules.find((r) => r.disposition === 'booked').requiredFields, ['valueEstCents', 'notes']);
    const fresh = await listAll(owner);
    const c = fresh.find((x) => x.disposition !== 'booked');
    const cleared = await srv.req('PATCH', `/api/calls/${c.id}`, { token: owner, body: { valueEstCents: null, notes: null } });
    assert.equal(cleared.status, 200, cleared.text);
    const r = await srv.req('PATCH', `/api/calls/${c.id}`, { token: owner, body: { disposition: 'booked' } });
    expectProblem(assert, r, 400);
    assert.ok(r.json.errors.some((e) => e.field === 'valueEstCents'));
    const ok = await srv.req('PATCH', `/api/calls/${c.id}`, { token: owner, body: { disposition: 'booked', valueEstCents: 100, notes: 'booked by phone' } });
    assert.equal(ok.status, 200, ok.text);
    const get = await srv.req('GET', '/api/settings/disposition-rules', { token: owner });
    assert.equal(get.json.rules.length, 5);
    expectProblem(assert, await srv.req('POST', '/api/settings/disposition-rules', { token: owner,
      body: { rules: [{ disposition: 'booked', requiredFields: ['shoeSize'] }] } }), 400);
    await srv.req('POST', '/api/settings/disposition-rules', { token: owner, body: { rules: [{ disposition: 'booked', requiredFields: [] }] } });
  });

  test('tags endpoint: replace, add/remove, notes alone', async () => {
    const c = all.find((x) => !x.spam && x.tags.length === 0) ?? all[0];
    const url = `/api/calls/${c.id}/tags`;
    let r = await srv.req('PATCH', url, { token: dispatcher, body: { tags: ['leak', 'urgent'] } });
    assert.deepEqual([...r.json.call.tags].sort(), ['leak', 'urgent']);
    r = await srv.req('PATCH', url, { token: dispatcher, body: { add: ['warranty'], remove: ['URGENT'] } });
    assert.deepEqual([...r.json.call.tags].sort(), ['leak', 'warranty']);
    r = await srv.req('PATCH', url, { token: dispatcher, body: { notes: 'Gate code 1234' } });
    assert.equal(r.json.call.notes, 'Gate code 1234');
    assert.deepEqual([...r.json.call.tags].sort(), ['leak', 'warranty']);
    const found = await listAll(owner, 'search=gate%20code%201234&spam=true');
    assert.deepEqual(ids(found), [c.id], 'notes are searchable at once');
    expectProblem(assert, await srv.req('PATCH', url, { token: dispatcher, body: {} }), 400);
    expectProblem(assert, await srv.req('PATCH', url, { token: dispatcher, body: { tags: ['a'], add: ['b'] } }), 400);
  });
});

describe('roles and workspaces', () => {
  test('viewer reads but may not write', async () => {
    const c = all[0];
    assert.equal((await srv.req('GET', `/api/calls/${c.id}`, { token: viewer })).status, 200);
    expectProblem(assert, await srv.req('PATCH', `/api/calls/${c.id}`, { token: viewer, body: { notes: 'x' } }), 403);
    expectProblem(assert, await srv.req('PATCH', `/api/calls/${c.id}/tags`, { token: viewer, body: { tags: [] } }), 403);
    expectProblem(assert, await srv.req('GET', '/api/settings/disposition-rules', { token: viewer }), 403);
  });

  test('a tech sees and edits only calls of jobs assigned to them', async () => {
    const users = (await srv.req('GET', '/api/users', { token: owner })).json.users;
    const techs = users.filter((u) => u.role === 'tech');
    assert.ok(techs.length > 0, 'seed created techs');
    const withJob = all.filter((c) => c.job && c.job.techIds.length);
    const tech = techs.find((t) => withJob.some((c) => c.job.techIds.includes(t.id)));
    const token = srv.token('acme', 'tech', tech.email);
    const mine = await listAll(token, 'spam=true');
    const want = all.filter((c) => c.job && c.job.techIds.includes(tech.id));
    assert.ok(want.length > 0);
    assert.deepEqual(ids(mine), ids(want));
    const own = want.find((c) => !c.spam) ?? want[0];
    const patch = await srv.req('PATCH', `/api/calls/${own.id}`, { token, body: { notes: 'on my way' } });
    assert.equal(patch.status, 200, patch.text);
    const foreign = all.find((c) => !c.job || !c.job.techIds.includes(tech.id));
    expectProblem(assert, await srv.req('GET', `/api/calls/${foreign.id}`, { token }), 404);
    expectProblem(assert, await srv.req('PATCH', `/api/calls/${foreign.id}`, { token, body: { notes: 'x' } }), 404);
    expectProblem(assert, await srv.req('GET', `/api/audit/calls/${foreign.id}`, { token }), 404);
    const tq = await srv.req('GET', '/api/calls/queue/triage?limit=100', { token });
    for (const c of tq.json.queuedCalls) assert.ok(want.some((w) => w.id === c.id));
  });

  test("another workspace's calls are 404 and never listed", async () => {
    const c = all[0];
    expectProblem(assert, await srv.req('GET', `/api/calls/${c.id}`, { token: other }), 404);
    expectProblem(assert, await srv.req('PATCH', `/api/calls/${c.id}`, { token: other, body: { notes: 'x' } }), 404);
    expectProblem(assert, await srv.req('GET', `/api/audit/calls/${c.id}`, { token: other }), 404);
    const list = await srv.req('GET', '/api/calls?spam=true', { token: other });
    assert.deepEqual(list.json.data, []);
    const search = await srv.req('GET', `/api/calls?search=${encodeURIComponent(c.fromE164)}`, { token: other });
    assert.deepEqual(search.json.data, []);
    expectProblem(assert, await srv.req('GET', '/api/calls/not-a-uuid', { token: owner }), 404);
  });
});
