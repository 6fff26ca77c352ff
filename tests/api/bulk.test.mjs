// Bulk operations: POST /api/calls/bulk and GET /api/bulk-jobs/:jobId.
// Each operation on a few calls and on a filter-selected set (the same rows
// the list returns), the audit trail (source bulk) and the realtime event of
// every call, per-call errors for a Tech, validation and roles.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Server, cli, expectProblem } from './harness.mjs';
import { ok, listAll, jobDone } from './bulk_helpers.mjs';

let srv;
const tok = {};
let calls;        // every non-spam call, newest first
let techCalls;    // calls on the tech's jobs
let foreignCalls; // calls the tech may not touch

const bulk = (body, token = tok.dispatcher, status = 202) => ok(srv, 'POST', '/api/calls/bulk', token, body, status);

async function run(body, token = tok.dispatcher) {
  const { jobId, affectedCount } = await bulk(body, token);
  assert.match(jobId, /^[0-9a-f-]{36}$/);
  const job = await jobDone(srv, jobId, token);
  assert.equal(job.status, 'completed', JSON.stringify(job));
  assert.equal(job.total, affectedCount);
  assert.equal(job.processed, affectedCount);
  assert.equal(job.progress, 100);
  return { jobId, affectedCount, job };
}

const getCall = async (id) => (await ok(srv, 'GET', `/api/calls/${id}`, tok.owner)).call;
const audit = async (id) => (await ok(srv, 'GET', `/api/audit/calls/${id}`, tok.owner)).events;

before(async () => {
  srv = new Server();
  assert.equal(cli(['seed', '--calls', '300', '--workspace', 'acme', '--seed', '7'], { dataDir: srv.dataDir }).status, 0);
  await srv.start();
  for (const role of ['owner', 'admin', 'dispatcher', 'viewer']) tok[role] = srv.token('acme', role, `${role}@acme.test`);
  calls = await listAll(srv, tok.owner);
  const users = (await ok(srv, 'GET', '/api/users', tok.owner)).users;
  const withJob = calls.filter((c) => c.job && c.job.techIds.length);
  const tech = users.find((u) => u.id === withJob[0].job.techIds[0]);
  tok.tech = srv.token('acme', 'tech', tech.email);
  techCalls = calls.filter((c) => c.job && c.job.techIds.includes(tech.id));
  foreignCalls = calls.filter((c) => !c.job || !c.job.techIds.includes(tech.id));
  assert.ok(techCalls.length >= 2 && foreignCalls.length >= 2);
});
after(() => srv.stop());

describe('operations on a few calls', () => {
  test('tag adds tags to each call, audited as bulk and announced', async () => {
    const ids = calls.slice(0, 4).map((c) => c.id);
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${tok.owner}`);
    const events = [];
    ws.on('message', (m) => events.push(JSON.parse(m.toString())));
    await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
    const { jobId, affectedCount, job } = await run({ callIds: ids, operation: 'tag', data: { tags: ['Bulk-One', 'warranty'] } });
    assert.equal(affectedCount, 4);
    assert.deepEqual(job.errors, []);
    for (const id of ids) {
      const c = await getCall(id);
      assert.ok(c.tags.includes('bulk-one') && c.tags.includes('warranty'), `tags of ${id}: ${c.tags}`);
      const mine = (await audit(id)).filter((e) => e.metadata?.bulkJobId === jobId);
      assert.equal(mine.length, 1, 'one audit event per call');
      assert.equal(mine[0].source, 'bulk');
      assert.equal(mine[0].actor, 'dispatcher@acme.test');
      assert.ok(mine[0].diff.tags);
    }
    const end = Date.now() + 3000;
    while (Date.now() < end && ids.some((id) => !events.some((e) => e.type === 'call_updated' && e.data.callId === id)))
      await new Promise((r) => setTimeout(r, 50));
    for (const id of ids) assert.ok(events.some((e) => e.type === 'call_updated' && e.data.callId === id), `event for ${id}`);
    ws.close();
  });

  test('tag remove and set modes', async () => {
    const ids = calls.slice(0, 2).map((c) => c.id);
    await run({ callIds: ids, operation: 'tag', data: { tags: ['warranty'], mode: 'remove' } });
    for (const id of ids) assert.ok(!(await getCall(id)).tags.includes('warranty'));
    await run({ callIds: ids, operation: 'tag', data: { tags: ['only-this'], mode: 'set' } });
    for (const id of ids) assert.deepEqual((await getCall(id)).tags, ['only-this']);
  });

  test('disposition sets the outcome', async () => {
    const ids = calls.slice(5, 8).map((c) => c.id);
    await run({ callIds: ids, operation: 'disposition', data: { disposition: 'callback' } });
    for (const id of ids) {
      const c = await getCall(id);
      assert.equal(c.disposition, 'callback');
      assert.ok(c.outcomeAt);
    }
  });

  test('spam marks calls (they leave the default list) and unmarks them', async () => {
    const ids = calls.slice(10, 13).map((c) => c.id);
    await run({ callIds: ids, operation: 'spam', data: { reason: 'robocall' } });
    for (const id of ids) {
      const c = await getCall(id);
      assert.equal(c.spamReason, 'robocall');
      assert.equal(c.disposition, 'spam');
      // As mark-spam: the same audit action, sourced bulk, and the model learned the example.
      assert.ok((await audit(id)).some((e) => e.action === 'call.marked_spam' && e.source === 'bulk'));
    }
    const report = await ok(srv, 'GET', '/api/spam/reports', tok.owner);
    assert.ok(report.model.spamExamples >= ids.length, `examples ${JSON.stringify(report.model)}`);
    const visible = await listAll(srv, tok.owner, { contactId: calls[10].contactId ?? 'none' }).catch(() => []);
    assert.ok(!visible.some((c) => ids.includes(c.id)));
    const spamOnly = await listAll(srv, tok.owner, { spam: 'only' });
    for (const id of ids) assert.ok(spamOnly.some((c) => c.id === id), `${id} listed as spam`);
    await run({ callIds: ids, operation: 'spam', data: { isSpam: false } });
    const after2 = await listAll(srv, tok.owner, { spam: 'only' });
    for (const id of ids) assert.ok(!after2.some((c) => c.id === id));
  });

  test('followup creates a task on each call', async () => {
    const ids = calls.slice(15, 18).map((c) => c.id);
    const due = new Date(Date.now() + 86400000).toISOString();
    const { jobId } = await run({ callIds: ids, operation: 'followup', data: { type: 'callback', dueAt: due, note: 'bulk follow-up', priority: 'high' } });
    for (const id of ids) {
      const c = await getCall(id);
      const t = c.followUpTasks.find((f) => f.note === 'bulk follow-up');
      assert.ok(t, `task on ${id}`);
      assert.equal(t.priority, 'high');
      assert.equal(c.queueStatus, c.outcomeRequired ? 'triage' : 'followup');
      const ev = (await audit(id)).filter((e) => e.action === 'call.followup_created');
      assert.ok(ev.some((e) => e.source === 'bulk'), `bulk-sourced audit on ${id} (${jobId})`);
    }
  });

  test('disposition rules apply to each call as in PATCH: calls missing a required field are reported (400)', async () => {
    const ids = calls.slice(50, 54).map((c) => c.id);
    await ok(srv, 'PATCH', `/api/calls/${ids[0]}`, tok.owner, { valueEstCents: 12000, disposition: null });
    for (const id of ids.slice(1)) await ok(srv, 'PATCH', `/api/calls/${id}`, tok.owner, { valueEstCents: null, disposition: null });
    await ok(srv, 'POST', '/api/settings/disposition-rules', tok.owner, { rules: [{ disposition: 'booked', requiredFields: ['valueEstCents'] }] });
    try {
      const { job } = await run({ callIds: ids, operation: 'disposition', data: { disposition: 'booked' } });
      assert.deepEqual(job.errors.map((e) => e.callId).sort(), ids.slice(1).sort());
      for (const e of job.errors) {
        assert.equal(e.status, 400);
        assert.match(e.error, /valueEstCents/);
      }
      assert.equal((await getCall(ids[0])).disposition, 'booked');
      for (const id of ids.slice(1)) assert.equal((await getCall(id)).disposition ?? null, null, 'nothing written');
    } finally {
      await ok(srv, 'POST', '/api/settings/disposition-rules', tok.owner, { rules: [{ disposition: 'booked', requiredFields: [] }] });
    }
  });

  test('unknown and duplicate ids: duplicates count once, unknown ones are reported', async () => {
    const ids = [calls[20].id, calls[20].id, '01a00000-0000-7000-8000-000000000000'];
    const { affectedCount, job } = await run({ callIds: ids, operation: 'tag', data: { tags: ['dup'] } });
    assert.equal(affectedCount, 2);
    assert.equal(job.errors.length, 1);
    assert.equal(job.errors[0].callId, ids[2]);
    assert.equal(job.errors[0].status, 404);
  });
});

describe('operations on a filter-selected set', () => {
  test('tag selects every matching call, not a page', async () => {
    const filters = { disposition: 'missed', direction: 'in' };
    const want = await listAll(srv, tok.owner, filters);
    assert.ok(want.length > 20, `enough rows (${want.length})`);
    const { affectedCount } = await run({ filters: { ...filters, limit: 5 }, operation: 'tag', data: { tags: ['missed-batch'] } });
    assert.equal(affectedCount, want.length);
    const tagged = await listAll(srv, tok.owner, { tag: 'missed-batch' });
    assert.deepEqual(tagged.map((c) => c.id).sort(), want.map((c) => c.id).sort());
  });

  test('disposition, spam and followup on filtered sets', async () => {
    const set = await listAll(srv, tok.owner, { tag: 'missed-batch' });
    assert.ok(set.length > 0);
    const r1 = await run({ filters: { tag: 'missed-batch' }, operation: 'disposition', data: { disposition: 'answered' } });
    assert.equal(r1.affectedCount, set.length);
    for (const c of set.slice(0, 5)) assert.equal((await getCall(c.id)).disposition, 'answered');
    const due = new Date(Date.now() + 2 * 86400000).toISOString();
    const r2 = await run({ filters: { tag: 'missed-batch' }, operation: 'followup', data: { type: 'sms', dueAt: due, note: 'filtered' } });
    assert.equal(r2.affectedCount, set.length);
    for (const c of set.slice(0, 5)) assert.ok((await getCall(c.id)).followUpTasks.some((f) => f.note === 'filtered'));
    const r3 = await run({ filters: { tag: 'missed-batch' }, operation: 'spam', data: { reason: 'telemarketer' } });
    assert.equal(r3.affectedCount, set.length);
    const spam = await listAll(srv, tok.owner, { tag: 'missed-batch', spam: 'only' });
    assert.deepEqual(spam.map((c) => c.id).sort(), set.map((c) => c.id).sort());
  });

  test('a filter that matches nothing completes at once with nothing to do', async () => {
    const { affectedCount, job } = await run({ filters: { tag: 'no-such-tag-anywhere' }, operation: 'tag', data: { tags: ['x'] } });
    assert.equal(affectedCount, 0);
    assert.equal(job.processed, 0);
  });
});

describe('permissions', () => {
  test('a Tech changes calls of their jobs; others are reported per id (403)', async () => {
    const mine = techCalls.slice(0, 2).map((c) => c.id);
    const theirs = foreignCalls.slice(0, 3).map((c) => c.id);
    const { jobId } = await bulk({ callIds: [...mine, ...theirs], operation: 'tag', data: { tags: ['tech-bulk'] } }, tok.tech);
    const job = await jobDone(srv, jobId, tok.tech);
    assert.equal(job.status, 'completed');
    assert.equal(job.processed, 5);
    assert.equal(job.errorCount, 3);
    assert.deepEqual(job.errors.map((e) => e.callId).sort(), [...theirs].sort());
    for (const e of job.errors) {
      assert.equal(e.status, 403);
      assert.match(e.error, /not on a job assigned to you/);
    }
    for (const id of mine) assert.ok((await getCall(id)).tags.includes('tech-bulk'));
    for (const id of theirs) assert.ok(!(await getCall(id)).tags.includes('tech-bulk'));
  });

  test('a Tech filter selects only their calls', async () => {
    const { affectedCount } = await run({ filters: {}, operation: 'tag', data: { tags: ['tech-all'] } }, tok.tech);
    const theirs = await listAll(srv, tok.tech);
    assert.equal(affectedCount, theirs.length);
  });

  test('Viewer may not; no credential is 401; export needs the export permission', async () => {
    expectProblem(assert, await srv.req('POST', '/api/calls/bulk', { token: tok.viewer, body: { callIds: [calls[0].id], operation: 'tag', data: { tags: ['x'] } } }), 403);
    expectProblem(assert, await srv.req('POST', '/api/calls/bulk', { body: { callIds: [calls[0].id], operation: 'tag', data: { tags: ['x'] } } }), 401);
    expectProblem(assert, await srv.req('POST', '/api/calls/bulk', { token: tok.dispatcher, body: { callIds: [calls[0].id], operation: 'export', data: { format: 'csv' } } }), 403);
  });

  test('a job is visible to its creator and to Admins and Owners only', async () => {
    const { jobId } = await run({ callIds: [calls[30].id], operation: 'tag', data: { tags: ['seen'] } });
    await ok(srv, 'GET', `/api/bulk-jobs/${jobId}`, tok.admin);
    await ok(srv, 'GET', `/api/bulk-jobs/${jobId}`, tok.owner);
    expectProblem(assert, await srv.req('GET', `/api/bulk-jobs/${jobId}`, { token: tok.tech }), 404);
    const other = srv.token('other-ws', 'owner', 'owner@other.test');
    expectProblem(assert, await srv.req('GET', `/api/bulk-jobs/${jobId}`, { token: other }), 404);
    expectProblem(assert, await srv.req('GET', '/api/bulk-jobs/nope', { token: tok.owner }), 404);
  });
});

describe('validation', () => {
  const cases = [
    [{ callIds: ['a'], data: { tags: ['x'] } }, 'operation'],
    [{ callIds: ['a'], operation: 'paint', data: {} }, 'operation'],
    [{ operation: 'tag', data: { tags: ['x'] } }, 'callIds'],
    [{ callIds: [], operation: 'tag', data: { tags: ['x'] } }, 'callIds'],
    [{ callIds: [1, 2], operation: 'tag', data: { tags: ['x'] } }, 'callIds'],
    [{ callIds: ['a'], filters: {}, operation: 'tag', data: { tags: ['x'] } }, 'filters'],
    [{ filters: { intent: 'panic' }, operation: 'tag', data: { tags: ['x'] } }, 'filters.intent'],
    [{ filters: { bogus: 'x' }, operation: 'tag', data: { tags: ['x'] } }, 'filters.bogus'],
    [{ callIds: ['a'], operation: 'tag', data: {} }, 'data.tags'],
    [{ callIds: ['a'], operation: 'tag', data: { tags: ['bad<tag>'] } }, 'data.tags'],
    [{ callIds: ['a'], operation: 'disposition', data: { disposition: 'maybe' } }, 'data'],
    [{ callIds: ['a'], operation: 'disposition' }, 'data.disposition'],
    [{ callIds: ['a'], operation: 'spam', data: { reason: 'annoying' } }, 'data'],
    [{ callIds: ['a'], operation: 'followup', data: { type: 'callback' } }, 'data.dueAt'],
    [{ callIds: ['a'], operation: 'tag', data: { tags: ['x'] }, extra: 1 }, 'extra'],
  ];
  for (const [body, field] of cases) {
    test(`${JSON.stringify(body)} names ${field}`, async () => {
      const r = await srv.req('POST', '/api/calls/bulk', { token: tok.dispatcher, body });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `fields: ${JSON.stringify(r.json.errors)}`);
    });
  }
  test('a body that is not JSON is refused without a job', async () => {
    const r = await srv.req('POST', '/api/calls/bulk', { token: tok.dispatcher, raw: '{oops', headers: { 'Content-Type': 'application/json' } });
    expectProblem(assert, r, 400);
  });
});
