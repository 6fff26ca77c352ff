// Follow-up tasks: /api/followups, /api/followups/:id and /api/calls/:id/followups.
// The lifecycle on a call (the call's queueStatus and followUpTasks follow it),
// every list filter alone and combined, keyset pagination, every validation
// error, the five roles, workspace isolation and the audit trail.
// Data comes only from the CLI (tokens, seeded calls) and the API.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli, expectProblem } from './harness.mjs';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms) => new Date(ms).toISOString();
const NOW = Date.now();

let srv;
const tok = {};          // role -> token in workspace "fu"
let otherOwner;          // owner of workspace "fu-other"
const me = {};           // role -> user id
let calls = [];          // seeded calls of "fu" not in any queue, newest first
let triageCall;          // a call that still needs an outcome
let otherCall;           // a call of "fu-other"
let otherOwnerId;        // a user of "fu-other" only

function seed(workspace, n, s) {
  const r = cli(['seed', '--calls', String(n), '--workspace', workspace, '--seed', String(s)], { dataDir: srv.dataDir });
  assert.equal(r.status, 0, `seed failed: ${r.stderr}`);
}

async function ok(method, path, token, body, status = 200) {
  const r = await srv.req(method, path, { token, body });
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  return r.json;
}

const getCall = async (id, token = tok.owner) => (await ok('GET', `/api/calls/${id}`, token)).call;
const getFollowUp = async (id, token = tok.owner) => (await ok('GET', `/api/followups/${id}`, token)).followUp;
const createOn = async (callId, body, token = tok.dispatcher) =>
  (await ok('POST', `/api/calls/${callId}/followups`, token, body, 201)).followUp;
const create = async (body, token = tok.dispatcher) => (await ok('POST', '/api/followups', token, body, 201)).followUp;
const patch = async (id, body, token = tok.dispatcher) => (await ok('PATCH', `/api/followups/${id}`, token, body)).followUp;

async function list(query, token = tok.owner) {
  return ok('GET', `/api/followups${query ? `?${query}` : ''}`, token);
}

// Every row of the list for query, walking all pages.
async function listAll(query, token = tok.owner, limit = 100) {
  const rows = [];
  let cursor;
  for (let i = 0; i < 1000; i++) {
    const q = new URLSearchParams(query);
    q.set('limit', String(limit));
    if (cursor) q.set('cursor', cursor);
    const page = await list(q.toString(), token);
    rows.push(...page.data);
    if (!page.hasMore) {
      assert.equal(page.nextCursor ?? null, null, 'the last page has no cursor');
      return rows;
    }
    assert.equal(typeof page.nextCursor, 'string');
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

const ids = (rows) => rows.map((r) => r.id);

function assertFollowUpShape(f) {
  for (const k of ['id', 'workspaceId', 'type', 'dueAt', 'status', 'priority', 'createdAt', 'updatedAt']) {
    assert.ok(f[k], `followUp.${k} is set`);
  }
  assert.ok(['callback', 'sms', 'email', 'task'].includes(f.type));
  assert.ok(['open', 'done', 'cancelled'].includes(f.status));
  assert.ok(['low', 'normal', 'high', 'urgent'].includes(f.priority));
  for (const k of ['dueAt', 'createdAt', 'updatedAt']) assert.match(f[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
}

async function auditOf(callId) {
  return (await ok('GET', `/api/audit/calls/${callId}`, tok.owner)).events;
}

before(async () => {
  srv = new Server();
  for (const role of ['owner', 'admin', 'dispatcher', 'tech', 'viewer']) {
    tok[role] = srv.token('fu', role, `${role}@fu.test`);
  }
  tok.tech2 = srv.token('fu', 'tech', 'tech2@fu.test');
  otherOwner = srv.token('fu-other', 'owner', 'owner@fu-other.test');
  seed('fu', 150, 11);
  seed('fu-other', 5, 12);
  await srv.start();
  for (const role of Object.keys(tok)) me[role] = (await ok('GET', '/api/me', tok[role])).user.id;
  // Calls in no queue and on no job: no task holds them, and no tech sees them yet.
  calls = (await ok('GET', '/api/calls?queueStatus=none&outcomeRequired=false&hasJob=false&limit=40', tok.owner)).data;
  assert.ok(calls.length >= 12, `enough seeded calls outside any queue (${calls.length})`);
  const t = (await ok('GET', '/api/calls?queueStatus=triage&outcomeRequired=true&limit=5', tok.owner)).data;
  assert.ok(t.length > 0, 'a seeded call needs an outcome');
  triageCall = t[0];
  otherCall = (await ok('GET', '/api/calls?limit=1', otherOwner)).data[0];
  otherOwnerId = (await ok('GET', '/api/me', otherOwner)).user.id;
  assert.ok(otherCall, 'the other workspace has a call');
});
after(() => srv.stop());

describe('lifecycle on a call', () => {
  let call;
  let fu;

  test('the drawer creates a follow-up with its exact body', async () => {
    call = calls[0];
    const before = await getCall(call.id);
    assert.equal(before.queueStatus, 'none');
    const due = iso(NOW + 2 * DAY);
    fu = await createOn(call.id, { type: 'callback', dueAt: due, note: 'Call back about the quote', priority: 'high' });
    assertFollowUpShape(fu);
    assert.equal(fu.callId, call.id);
    assert.equal(fu.contactId, before.contactId ?? null, 'contactId defaults to the call\'s contact');
    assert.equal(fu.type, 'callback');
    assert.equal(fu.dueAt, due);
    assert.equal(fu.status, 'open');
    assert.equal(fu.priority, 'high');
    assert.equal(fu.note, 'Call back about the quote');
    assert.equal(fu.completedAt ?? null, null);
    assert.equal(fu.workspaceId, before.workspaceId);
  });

  test('the call enters the followup queue and embeds the task', async () => {
    const c = await getCall(call.id);
    assert.equal(c.queueStatus, 'followup');
    assert.deepEqual(ids(c.followUpTasks), [fu.id]);
    assert.equal(c.followUpTasks[0].note, 'Call back about the quote');
    const row = (await ok('GET', '/api/calls?queueStatus=followup&limit=100', tok.owner)).data.find((x) => x.id === call.id);
    assert.ok(row, 'the call is listed in the followup queue');
    assert.deepEqual(ids(row.followUpTasks), [fu.id]);
  });

  test('the call audit trail records the queue change caused by the follow-up', async () => {
    const events = await auditOf(call.id);
    const e = events.find((x) => x.metadata?.followUpId === fu.id);
    assert.ok(e, 'a call event names the follow-up');
    assert.equal(e.action, 'call.followup_created');
    assert.equal(e.target, 'call');
    assert.equal(e.actor, 'dispatcher@fu.test');
    assert.deepEqual(e.diff, { queueStatus: { from: 'none', to: 'followup' } });
    assert.ok(!events.some((x) => x.action === 'call.updated'), 'no plain call update');
  });

  test('GET /api/followups/:id returns it wrapped as followUp', async () => {
    const r = await srv.req('GET', `/api/followups/${fu.id}`, { token: tok.viewer });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['followUp']);
    assert.deepEqual(r.json.followUp, fu);
  });

  test('a second task, sooner, comes first in followUpTasks', async () => {
    const soon = await createOn(call.id, { type: 'sms', dueAt: iso(NOW + DAY), note: '', priority: 'normal' });
    assert.equal(soon.note ?? null, null, 'an empty note is no note');
    const c = await getCall(call.id);
    assert.deepEqual(ids(c.followUpTasks), [soon.id, fu.id]);
    await ok('DELETE', `/api/followups/${soon.id}`, tok.dispatcher, undefined, 204);
    assert.deepEqual(ids((await getCall(call.id)).followUpTasks), [fu.id]);
    assert.equal((await getCall(call.id)).queueStatus, 'followup', 'still one open task');
  });

  test('PATCH changes fields and answers the updated task', async () => {
    const due = iso(NOW + 3 * DAY);
    const p = await patch(fu.id, { type: 'email', dueAt: due, note: 'Send the quote', priority: 'urgent',
      assignedTo: me.dispatcher });
    assert.equal(p.type, 'email');
    assert.equal(new Date(p.dueAt).getTime(), new Date(due).getTime());
    assert.equal(p.note, 'Send the quote');
    assert.equal(p.priority, 'urgent');
    assert.equal(p.assignedTo, me.dispatcher);
    assert.equal(p.status, 'open');
    assert.ok(p.updatedAt >= fu.updatedAt);
    assert.equal(p.createdAt, fu.createdAt);
    assert.deepEqual(await getFollowUp(fu.id), p);
    const c = await getCall(call.id);
    assert.equal(c.followUpTasks[0].priority, 'urgent');
    fu = p;
  });

  test('null clears note and assignee', async () => {
    const p = await patch(fu.id, { note: null, assignedTo: null });
    assert.equal(p.note ?? null, null);
    assert.equal(p.assignedTo ?? null, null);
    fu = await patch(fu.id, { note: 'Send the quote', assignedTo: me.dispatcher });
  });

  test('a PATCH that changes nothing writes nothing', async () => {
    const trail = await auditOf(call.id);
    const same = await patch(fu.id, { type: fu.type, dueAt: fu.dueAt, note: fu.note, priority: fu.priority,
      assignedTo: fu.assignedTo, status: 'open' });
    assert.deepEqual(same, fu, 'same task, same updatedAt');
    const empty = await patch(fu.id, {});
    assert.deepEqual(empty, fu);
    assert.deepEqual(await auditOf(call.id), trail, 'no audit event');
    assert.deepEqual(await getFollowUp(fu.id), fu);
  });

  test('done stamps completedAt and the call leaves the followup queue', async () => {
    const done = await patch(fu.id, { status: 'done' });
    assert.equal(done.status, 'done');
    assert.ok(done.completedAt, 'completedAt is set');
    assert.ok(Math.abs(new Date(done.completedAt).getTime() - Date.now()) < 60_000);
    const c = await getCall(call.id);
    assert.equal(c.queueStatus, 'none');
    assert.deepEqual(c.followUpTasks, [], 'no open task is embedded');
    const events = await auditOf(call.id);
    const e = events.at(-1);
    assert.equal(e.action, 'call.followup_updated');
    assert.equal(e.metadata.followUpId, fu.id);
    assert.deepEqual(e.diff.queueStatus, { from: 'followup', to: 'none' });
    const queued = (await ok('GET', '/api/calls?queueStatus=followup&limit=100', tok.owner)).data;
    assert.ok(!queued.some((x) => x.id === call.id), 'not listed in the followup queue');
    fu = done;
  });

  test('reopening clears completedAt and puts the call back', async () => {
    const again = await patch(fu.id, { status: 'open' });
    assert.equal(again.status, 'open');
    assert.equal(again.completedAt ?? null, null);
    assert.equal((await getCall(call.id)).queueStatus, 'followup');
    const cancelled = await patch(fu.id, { status: 'cancelled' });
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.completedAt ?? null, null);
    assert.equal((await getCall(call.id)).queueStatus, 'none', 'a cancelled task does not hold the call');
    fu = await patch(fu.id, { status: 'open' });
  });

  test('DELETE removes it for good and the call leaves the queue', async () => {
    assert.equal((await getCall(call.id)).queueStatus, 'followup');
    const r = await srv.req('DELETE', `/api/followups/${fu.id}`, { token: tok.dispatcher });
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    expectProblem(assert, await srv.req('GET', `/api/followups/${fu.id}`, { token: tok.owner }), 404);
    expectProblem(assert, await srv.req('PATCH', `/api/followups/${fu.id}`, { token: tok.owner, body: { note: 'x' } }), 404);
    expectProblem(assert, await srv.req('DELETE', `/api/followups/${fu.id}`, { token: tok.owner }), 404);
    const c = await getCall(call.id);
    assert.equal(c.queueStatus, 'none');
    assert.ok(!ids(c.followUps ?? []).includes(fu.id));
    const last = (await auditOf(call.id)).at(-1);
    assert.equal(last.action, 'call.followup_deleted');
    assert.equal(last.metadata.followUpId, fu.id);
  });

  test('a call that still needs an outcome stays in triage', async () => {
    const before = await getCall(triageCall.id);
    assert.equal(before.queueStatus, 'triage');
    const f = await createOn(triageCall.id, { type: 'callback', dueAt: iso(NOW + DAY), note: 'n', priority: 'low' });
    const c = await getCall(triageCall.id);
    assert.equal(c.queueStatus, 'triage');
    assert.ok(ids(c.followUpTasks).includes(f.id));
    await ok('DELETE', `/api/followups/${f.id}`, tok.dispatcher, undefined, 204);
    assert.equal((await getCall(triageCall.id)).queueStatus, 'triage');
  });
});

describe('POST /api/followups', () => {
  test('a task on no call, with defaults', async () => {
    const f = await create({ type: 'task', dueAt: iso(NOW + 5 * DAY) });
    assertFollowUpShape(f);
    assert.equal(f.callId ?? null, null);
    assert.equal(f.contactId ?? null, null);
    assert.equal(f.priority, 'normal');
    assert.equal(f.status, 'open');
    assert.equal(f.assignedTo ?? null, null);
    assert.deepEqual(await getFollowUp(f.id), f);
  });

  test('a task on a call by callId moves the call into the queue', async () => {
    const call = calls[1];
    const f = await create({ type: 'callback', dueAt: iso(NOW + DAY), callId: call.id, assignedTo: me.admin,
      priority: 'high', note: 'from the task list' });
    assert.equal(f.callId, call.id);
    assert.equal(f.assignedTo, me.admin);
    const c = await getCall(call.id);
    assert.equal(c.queueStatus, 'followup');
    assert.equal(f.contactId, c.contactId ?? null);
    await ok('DELETE', `/api/followups/${f.id}`, tok.admin, undefined, 204);
    assert.equal((await getCall(call.id)).queueStatus, 'none');
  });

  test('an explicit contactId is kept', async () => {
    const withContact = (await ok('GET', '/api/calls?limit=100', tok.owner)).data.find((c) => c.contactId);
    assert.ok(withContact, 'a seeded call has a contact');
    const f = await create({ type: 'email', dueAt: iso(NOW + DAY), contactId: withContact.contactId });
    assert.equal(f.contactId, withContact.contactId);
    assert.equal(f.callId ?? null, null);
  });
});

describe('list filters', () => {
  // Tasks made here, on calls[2..5]; seeded tasks may exist too, so each check
  // asserts that every row matches and that exactly the expected ones of ours are in.
  const mine = {};
  let all;

  before(async () => {
    const [c2, c3, c4, c5] = calls.slice(2, 6);
    mine.a = await createOn(c2.id, { type: 'callback', dueAt: iso(NOW - 2 * DAY), note: 'overdue', priority: 'urgent' });
    mine.b = await createOn(c2.id, { type: 'sms', dueAt: iso(NOW + 1 * DAY), note: 'soon', priority: 'high' });
    mine.c = await create({ type: 'email', dueAt: iso(NOW + 2 * DAY), callId: c3.id, assignedTo: me.admin, priority: 'low' });
    mine.d = await create({ type: 'task', dueAt: iso(NOW - 3 * DAY), callId: c4.id, assignedTo: me.dispatcher });
    mine.d = await patch(mine.d.id, { status: 'done' });
    mine.e = await create({ type: 'callback', dueAt: iso(NOW + 4 * DAY), callId: c5.id, assignedTo: me.dispatcher,
      priority: 'urgent' });
    mine.e = await patch(mine.e.id, { status: 'cancelled' });
    mine.f = await create({ type: 'task', dueAt: iso(NOW - HOUR), assignedTo: me.owner, priority: 'normal' });
    all = await listAll('');
  });

  const ours = () => Object.values(mine);
  // The ids of ours that the predicate selects, sorted like the list.
  const expected = (pred) => ours().filter(pred).sort((x, y) => (x.dueAt < y.dueAt ? -1 : x.dueAt > y.dueAt ? 1 : x.id < y.id ? -1 : 1)).map((f) => f.id);

  async function check(query, pred) {
    const rows = await listAll(query);
    for (const r of rows) assert.ok(pred(r), `${query}: row ${JSON.stringify(r)} matches`);
    const ourIds = new Set(ours().map((f) => f.id));
    assert.deepEqual(ids(rows).filter((id) => ourIds.has(id)), expected(pred), `${query}: our rows`);
    // Everything in the unfiltered list that matches is returned.
    assert.deepEqual(ids(rows), ids(all.filter(pred)), `${query}: same as filtering the whole list`);
    return rows;
  }

  test('no filter: everything, soonest due first, envelope', async () => {
    const page = await list('');
    assert.deepEqual(Object.keys(page).sort(), ['data', 'hasMore', 'nextCursor']);
    assert.equal(typeof page.hasMore, 'boolean');
    for (const f of ours()) assert.ok(ids(all).includes(f.id));
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1], b = all[i];
      assert.ok(a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.id < b.id), 'ordered by (dueAt, id)');
    }
    all.forEach(assertFollowUpShape);
  });

  test('status, one and several', async () => {
    await check('status=open', (r) => r.status === 'open');
    await check('status=done', (r) => r.status === 'done');
    await check('status=cancelled', (r) => r.status === 'cancelled');
    await check('status=done&status=cancelled', (r) => r.status !== 'open');
  });

  test('priority, one and several', async () => {
    await check('priority=urgent', (r) => r.priority === 'urgent');
    await check('priority=low&priority=high', (r) => r.priority === 'low' || r.priority === 'high');
  });

  test('assignedTo: an id and me', async () => {
    await check(`assignedTo=${me.admin}`, (r) => r.assignedTo === me.admin);
    const byId = await check(`assignedTo=${me.dispatcher}`, (r) => r.assignedTo === me.dispatcher);
    const asMe = (await listAll('assignedTo=me', tok.dispatcher));
    assert.deepEqual(ids(asMe), ids(byId));
    const ownerMe = await listAll('assignedTo=me', tok.owner);
    assert.deepEqual(ids(ownerMe).filter((id) => id === mine.f.id), [mine.f.id]);
  });

  test('callId and contactId', async () => {
    await check(`callId=${calls[2].id}`, (r) => r.callId === calls[2].id);
    const onCall = ids(await listAll(`callId=${calls[2].id}`));
    assert.deepEqual(onCall.filter((id) => id === mine.a.id || id === mine.b.id), [mine.a.id, mine.b.id]);
    const contactId = (await ok('GET', '/api/calls?limit=100', tok.owner)).data.find((c) => c.contactId)?.contactId;
    assert.ok(contactId, 'a seeded call has a contact');
    mine.g = await create({ type: 'task', dueAt: iso(NOW + 9 * DAY), contactId });
    all = await listAll('');
    const rows = await check(`contactId=${contactId}`, (r) => r.contactId === contactId);
    assert.ok(ids(rows).includes(mine.g.id));
    await check(`contactId=${contactId}&callId=${calls[2].id}`, (r) => r.contactId === contactId && r.callId === calls[2].id);
  });

  test('due range', async () => {
    const from = iso(NOW - 2.5 * DAY), to = iso(NOW + 1.5 * DAY);
    const inRange = (r) => r.dueAt >= from && r.dueAt < to;
    await check(`dueFrom=${from}&dueTo=${to}`, inRange);
    await check(`dueFrom=${from}`, (r) => r.dueAt >= from);
    await check(`dueTo=${to}`, (r) => r.dueAt < to);
    // A numeric offset means the same instant: 2.5 days ago, written at +02:00.
    const at = new Date(NOW - 2.5 * DAY + 2 * HOUR).toISOString().replace('Z', '+02:00');
    await check(new URLSearchParams({ dueFrom: at }).toString(), (r) => r.dueAt >= from);
  });

  test('overdue: open and due before now', async () => {
    const now = new Date().toISOString();
    const rows = await check('overdue=true', (r) => r.status === 'open' && r.dueAt < now);
    assert.ok(ids(rows).includes(mine.a.id) && ids(rows).includes(mine.f.id));
    assert.ok(!ids(rows).includes(mine.d.id), 'a done task is never overdue');
    await check('overdue=false', (r) => !(r.status === 'open' && r.dueAt < now));
  });

  test('filters combine (AND across, OR within)', async () => {
    const now = new Date().toISOString();
    await check(`status=open&priority=urgent&priority=high&callId=${calls[2].id}`,
      (r) => r.status === 'open' && ['urgent', 'high'].includes(r.priority) && r.callId === calls[2].id);
    await check(`overdue=true&priority=urgent`, (r) => r.status === 'open' && r.dueAt < now && r.priority === 'urgent');
    await check(`assignedTo=${me.dispatcher}&status=done&dueTo=${iso(NOW)}`,
      (r) => r.assignedTo === me.dispatcher && r.status === 'done' && r.dueAt < iso(NOW));
    await check(`status=cancelled&assignedTo=${me.admin}`, () => false);
  });

  test('pagination: every row once, in order, with any page size', async () => {
    const expectedIds = ids(all);
    for (const limit of [1, 2, 3, 7]) {
      const rows = await listAll('', tok.owner, limit);
      assert.deepEqual(ids(rows), expectedIds, `limit=${limit}`);
      assert.equal(new Set(ids(rows)).size, rows.length, 'no duplicates');
    }
    const first = await list('limit=2');
    assert.equal(first.data.length, 2);
    assert.equal(first.hasMore, all.length > 2);
    const filtered = await listAll('status=open', tok.owner, 2);
    assert.deepEqual(ids(filtered), ids(all.filter((r) => r.status === 'open')));
  });

  test('pagination with equal due times breaks ties by id', async () => {
    const due = iso(NOW + 30 * DAY);
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await create({ type: 'task', dueAt: due, note: `tie ${i}` })).id);
    const rows = await listAll(`dueFrom=${due}&dueTo=${iso(NOW + 30 * DAY + 1)}`, tok.owner, 2);
    assert.deepEqual(ids(rows), [...made].sort());
  });

  test('a task created while paging shows up once, in its place', async () => {
    const p1 = await list('limit=3');
    const late = await create({ type: 'task', dueAt: iso(NOW + 400 * DAY) });
    let rows = [...p1.data];
    let cursor = p1.nextCursor;
    while (cursor) {
      const p = await list(`limit=3&cursor=${cursor}`);
      rows.push(...p.data);
      cursor = p.nextCursor;
    }
    assert.equal(new Set(ids(rows)).size, rows.length);
    assert.equal(ids(rows).at(-1), late.id);
  });
});

describe('validation', () => {
  async function expectFields(r, fields) {
    expectProblem(assert, r, 400);
    const named = r.json.errors.map((e) => e.field);
    for (const f of fields) assert.ok(named.includes(f), `names ${f}: ${r.text}`);
  }
  const post = (body) => srv.req('POST', '/api/followups', { token: tok.dispatcher, body });
  const postOn = (callId, body) => srv.req('POST', `/api/calls/${callId}/followups`, { token: tok.dispatcher, body });
  const good = () => ({ type: 'callback', dueAt: iso(NOW + DAY) });

  test('list parameters', async () => {
    const cases = [
      ['status=closed', 'status'], ['priority=critical', 'priority'], ['assignedTo=bob', 'assignedTo'],
      ['callId=123', 'callId'], ['contactId=abc', 'contactId'], ['dueFrom=yesterday', 'dueFrom'],
      ['dueTo=2026-13-01T00:00:00Z', 'dueTo'], [`dueFrom=${iso(NOW)}&dueTo=${iso(NOW - DAY)}`, 'dueTo'],
      ['overdue=yes', 'overdue'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit'],
      ['limit=5&limit=6', 'limit'], ['cursor=!!!', 'cursor'], ['cursor=Zm9v', 'cursor'], ['sort=dueAt', 'sort'],
      ['status=open&status=done&status=open&status=done&status=open&status=done&status=open&status=done&status=open',
        'status'],
    ];
    for (const [q, field] of cases) await expectFields(await srv.req('GET', `/api/followups?${q}`, { token: tok.owner }), [field]);
  });

  test('create: required fields and types', async () => {
    await expectFields(await post({}), ['type', 'dueAt']);
    await expectFields(await post({ ...good(), type: 'fax' }), ['type']);
    await expectFields(await post({ ...good(), type: 3 }), ['type']);
    await expectFields(await post({ ...good(), dueAt: 'tomorrow' }), ['dueAt']);
    await expectFields(await post({ ...good(), dueAt: 1767225600000 }), ['dueAt']);
    await expectFields(await post({ ...good(), dueAt: '1999-12-31T23:59:59Z' }), ['dueAt']);
    await expectFields(await post({ ...good(), priority: 'critical' }), ['priority']);
    await expectFields(await post({ ...good(), note: 42 }), ['note']);
    await expectFields(await post({ ...good(), note: 'x'.repeat(4001) }), ['note']);
    await expectFields(await post({ ...good(), status: 'open' }), ['status']);
    await expectFields(await post({ ...good(), colour: 'red' }), ['colour']);
  });

  test('create: references', async () => {
    await expectFields(await post({ ...good(), assignedTo: 'bob' }), ['assignedTo']);
    await expectFields(await post({ ...good(), assignedTo: '01900000-0000-7000-8000-000000000000' }), ['assignedTo']);
    await expectFields(await post({ ...good(), assignedTo: otherOwnerId }), ['assignedTo']);
    await expectFields(await post({ ...good(), callId: 'x' }), ['callId']);
    await expectFields(await post({ ...good(), callId: '01900000-0000-7000-8000-000000000000' }), ['callId']);
    await expectFields(await post({ ...good(), callId: otherCall.id }), ['callId']);
    await expectFields(await post({ ...good(), contactId: '' }), ['contactId']);
    await expectFields(await post({ ...good(), contactId: '01900000-0000-7000-8000-000000000000' }), ['contactId']);
  });

  test('create on a call: body and path', async () => {
    const id = calls[6].id;
    await expectFields(await postOn(id, { note: 'x' }), ['type', 'dueAt']);
    await expectFields(await postOn(id, { ...good(), callId: id }), ['callId']);
    await expectFields(await postOn(id, { ...good(), priority: 'p1' }), ['priority']);
    expectProblem(assert, await postOn('01900000-0000-7000-8000-000000000000', good()), 404);
    expectProblem(assert, await postOn('not-an-id', good()), 404);
    expectProblem(assert, await postOn(otherCall.id, good()), 404);
    assert.deepEqual((await getCall(id)).followUpTasks, [], 'nothing was created');
  });

  test('bodies that are not JSON objects', async () => {
    expectProblem(assert, await srv.req('POST', '/api/followups', { token: tok.owner }), 400);
    expectProblem(assert, await srv.req('POST', '/api/followups', { token: tok.owner, raw: '{"type":', headers: { 'Content-Type': 'application/json' } }), 400);
    expectProblem(assert, await srv.req('POST', '/api/followups', { token: tok.owner, body: [good()] }), 400);
    expectProblem(assert, await srv.req('POST', '/api/followups', { token: tok.owner, raw: 'type=task', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
  });

  test('patch', async () => {
    const f = await create(good());
    const p = (body) => srv.req('PATCH', `/api/followups/${f.id}`, { token: tok.dispatcher, body });
    await expectFields(await p({ status: 'closed' }), ['status']);
    await expectFields(await p({ status: null }), ['status']);
    await expectFields(await p({ type: null }), ['type']);
    await expectFields(await p({ dueAt: null }), ['dueAt']);
    await expectFields(await p({ priority: null }), ['priority']);
    await expectFields(await p({ dueAt: 'soon' }), ['dueAt']);
    await expectFields(await p({ note: 'x'.repeat(4001) }), ['note']);
    await expectFields(await p({ assignedTo: '01900000-0000-7000-8000-000000000000' }), ['assignedTo']);
    await expectFields(await p({ callId: calls[0].id }), ['callId']);
    await expectFields(await p({ completedAt: iso(NOW) }), ['completedAt']);
    expectProblem(assert, await srv.req('PATCH', `/api/followups/${f.id}`, { token: tok.dispatcher }), 400);
    assert.deepEqual(await getFollowUp(f.id), f, 'nothing changed');
    expectProblem(assert, await srv.req('PATCH', '/api/followups/nope', { token: tok.dispatcher, body: {} }), 404);
    expectProblem(assert, await srv.req('GET', '/api/followups/nope', { token: tok.dispatcher }), 404);
    expectProblem(assert, await srv.req('DELETE', '/api/followups/01900000-0000-7000-8000-000000000000', { token: tok.dispatcher }), 404);
  });
});

describe('roles', () => {
  let onCall;     // on a call outside the tech's jobs, unassigned
  let toTech;     // on a call outside the tech's jobs, assigned to the tech
  let standalone; // on no call, assigned to the dispatcher

  before(async () => {
    onCall = await createOn(calls[7].id, { type: 'callback', dueAt: iso(NOW + DAY), note: 'n', priority: 'normal' });
    toTech = await create({ type: 'task', dueAt: iso(NOW + DAY), callId: calls[8].id, assignedTo: me.tech });
    standalone = await create({ type: 'email', dueAt: iso(NOW + DAY), assignedTo: me.dispatcher });
  });

  test('no credential is 401', async () => {
    expectProblem(assert, await srv.req('GET', '/api/followups'), 401);
    expectProblem(assert, await srv.req('GET', `/api/followups/${onCall.id}`), 401);
    expectProblem(assert, await srv.req('POST', '/api/followups', { body: { type: 'task', dueAt: iso(NOW) } }), 401);
    expectProblem(assert, await srv.req('DELETE', `/api/followups/${onCall.id}`), 401);
  });

  test('viewer reads everything and writes nothing', async () => {
    const v = tok.viewer;
    const rows = await listAll('', v);
    for (const f of [onCall, toTech, standalone]) assert.ok(ids(rows).includes(f.id));
    assert.deepEqual(await getFollowUp(onCall.id, v), onCall);
    const body = { type: 'task', dueAt: iso(NOW + DAY) };
    expectProblem(assert, await srv.req('POST', '/api/followups', { token: v, body }), 403);
    expectProblem(assert, await srv.req('POST', `/api/calls/${calls[7].id}/followups`, { token: v, body }), 403);
    expectProblem(assert, await srv.req('PATCH', `/api/followups/${onCall.id}`, { token: v, body: { status: 'done' } }), 403);
    expectProblem(assert, await srv.req('DELETE', `/api/followups/${onCall.id}`, { token: v }), 403);
    assert.deepEqual(await getFollowUp(onCall.id), onCall, 'unchanged');
  });

  for (const role of ['dispatcher', 'admin', 'owner']) {
    test(`${role} reads and writes every task`, async () => {
      const t = tok[role];
      const rows = await listAll('', t);
      for (const f of [onCall, toTech, standalone]) assert.ok(ids(rows).includes(f.id));
      const f = await create({ type: 'task', dueAt: iso(NOW + DAY), callId: calls[9].id, assignedTo: me[role] }, t);
      assert.equal((await getCall(calls[9].id, t)).queueStatus, 'followup');
      const p = await patch(f.id, { priority: 'high' }, t);
      assert.equal(p.priority, 'high');
      assert.equal((await patch(onCall.id, { note: `seen by ${role}` }, t)).note, `seen by ${role}`);
      await ok('DELETE', `/api/followups/${f.id}`, t, undefined, 204);
      assert.equal((await getCall(calls[9].id, t)).queueStatus, 'none');
    });
  }

  test('tech sees only tasks assigned to them or on calls of their jobs', async () => {
    const t = tok.tech;
    const rows = await listAll('', t);
    assert.ok(ids(rows).includes(toTech.id), 'assigned to them');
    assert.ok(!ids(rows).includes(onCall.id) && !ids(rows).includes(standalone.id), 'others are hidden');
    assert.deepEqual(await getFollowUp(toTech.id, t), toTech);
    for (const f of [onCall, standalone]) {
      expectProblem(assert, await srv.req('GET', `/api/followups/${f.id}`, { token: t }), 404);
      expectProblem(assert, await srv.req('PATCH', `/api/followups/${f.id}`, { token: t, body: { status: 'done' } }), 404);
      expectProblem(assert, await srv.req('DELETE', `/api/followups/${f.id}`, { token: t }), 404);
    }
    assert.deepEqual(await listAll(`callId=${calls[7].id}`, t), []);
    assert.deepEqual(ids(await listAll('', tok.tech2)).filter((id) => id === toTech.id), [], 'not another tech\'s');
  });

  test('tech completes a task assigned to them on a call outside their jobs', async () => {
    const t = tok.tech;
    assert.equal((await getCall(calls[8].id)).queueStatus, 'followup');
    const done = await patch(toTech.id, { status: 'done' }, t);
    assert.equal(done.status, 'done');
    assert.equal((await getCall(calls[8].id)).queueStatus, 'none', 'the call follows');
    expectProblem(assert, await srv.req('POST', `/api/calls/${calls[8].id}/followups`, {
      token: t, body: { type: 'task', dueAt: iso(NOW + DAY), note: '', priority: 'low' } }), 404);
    expectProblem(assert, await srv.req('PATCH', `/api/followups/${toTech.id}`, {
      token: t, body: { assignedTo: me.dispatcher } }), 403);
    assert.equal((await getFollowUp(toTech.id)).assignedTo, me.tech, 'not handed off');
  });

  test('tech creates own tasks; not for others off their jobs', async () => {
    const t = tok.tech;
    const own = await create({ type: 'task', dueAt: iso(NOW + DAY) }, t);
    assert.equal(own.assignedTo, me.tech, 'a tech\'s own task is assigned to them');
    assert.deepEqual(await getFollowUp(own.id, t), own);
    expectProblem(assert, await srv.req('POST', '/api/followups', {
      token: t, body: { type: 'task', dueAt: iso(NOW + DAY), assignedTo: me.dispatcher } }), 403);
    await expectFieldsOnly(await srv.req('POST', '/api/followups', {
      token: t, body: { type: 'task', dueAt: iso(NOW + DAY), callId: calls[7].id } }), 'callId');
    await ok('DELETE', `/api/followups/${own.id}`, t, undefined, 204);
  });

  test('tech works on calls of jobs assigned to them', async () => {
    const call = calls[10];
    const linked = await srv.req('POST', `/api/calls/${call.id}/link-job`, {
      token: tok.dispatcher, body: { title: 'Water heater', status: 'new', assignedTo: me.tech } });
    assert.ok(linked.status === 200 || linked.status === 201, `link-job: ${linked.text}`);
    const t = tok.tech;
    const theirs = await createOn(call.id, { type: 'callback', dueAt: iso(NOW + DAY), note: 'on my job', priority: 'high' }, t);
    assert.equal(theirs.callId, call.id);
    const byOther = await create({ type: 'sms', dueAt: iso(NOW + 2 * DAY), callId: call.id, assignedTo: me.dispatcher });
    const rows = await listAll(`callId=${call.id}`, t);
    assert.deepEqual(ids(rows), ids(await listAll(`callId=${call.id}`, tok.owner)), 'every task of the call');
    assert.deepEqual(ids(rows).filter((id) => id === theirs.id || id === byOther.id), [theirs.id, byOther.id]);
    assert.equal((await patch(byOther.id, { status: 'done' }, t)).status, 'done');
    assert.equal((await getCall(call.id, t)).queueStatus, 'followup');
    await ok('DELETE', `/api/followups/${theirs.id}`, t, undefined, 204);
    assert.equal((await getCall(call.id, t)).queueStatus, 'none');
    expectProblem(assert, await srv.req('GET', `/api/followups/${byOther.id}`, { token: tok.tech2 }), 404);
  });
});

async function expectFieldsOnly(r, field) {
  expectProblem(assert, r, 400);
  assert.ok(r.json.errors.some((e) => e.field === field), r.text);
}

describe('workspace isolation', () => {
  let ours;
  let theirs;
  before(async () => {
    ours = await createOn(calls[11].id, { type: 'callback', dueAt: iso(NOW + DAY), note: 'ours', priority: 'normal' });
    theirs = await createOn(otherCall.id, { type: 'task', dueAt: iso(NOW + DAY), note: 'theirs', priority: 'normal' }, otherOwner);
  });

  test('another workspace\'s task answers 404 to every method', async () => {
    for (const [t, f] of [[tok.owner, theirs], [otherOwner, ours]]) {
      expectProblem(assert, await srv.req('GET', `/api/followups/${f.id}`, { token: t }), 404);
      expectProblem(assert, await srv.req('PATCH', `/api/followups/${f.id}`, { token: t, body: { status: 'done' } }), 404);
      expectProblem(assert, await srv.req('DELETE', `/api/followups/${f.id}`, { token: t }), 404);
    }
    assert.equal((await getFollowUp(ours.id)).status, 'open');
    assert.equal((await getFollowUp(theirs.id, otherOwner)).status, 'open');
  });

  test('lists never cross workspaces', async () => {
    const mine = await listAll('');
    const other = await listAll('', otherOwner);
    assert.ok(!ids(mine).includes(theirs.id));
    assert.ok(ids(other).includes(theirs.id) && !ids(other).includes(ours.id));
    const wsIds = new Set(other.map((f) => f.workspaceId));
    assert.equal(wsIds.size, 1);
    assert.deepEqual(await listAll(`callId=${otherCall.id}`), []);
  });
});
