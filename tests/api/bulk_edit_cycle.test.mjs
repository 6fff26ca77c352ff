// The bulk edit cycle after the speed work of issue 7: a chunk reads its calls
// at once (row, tags and open follow-ups only) and writes its audit rows and
// call_updated events together before it commits. These tests check that this
// changes nothing a client can see: a bulk tag leaves every other field as it
// was (queue status of calls with open follow-ups included) and audits only
// the tags; a bulk disposition ends exactly as PATCH does (same rules, SLA
// task, queue status, audited fields); with small chunks and per-call
// permission errors inside them, each allowed call gets exactly one audit row
// and one event, and each refused call none.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Server, cli } from './harness.mjs';
import { ok, listAll, jobDone } from './bulk_helpers.mjs';

let srv;
const tok = {};
let calls;

const getCall = async (id) => (await ok(srv, 'GET', `/api/calls/${id}`, tok.owner)).call;
const audit = async (id) => (await ok(srv, 'GET', `/api/audit/calls/${id}`, tok.owner)).events;

async function run(body, token = tok.dispatcher) {
  const { jobId, affectedCount } = await ok(srv, 'POST', '/api/calls/bulk', token, body, 202);
  const job = await jobDone(srv, jobId, token);
  assert.equal(job.status, 'completed', JSON.stringify(job));
  assert.equal(job.processed, affectedCount);
  return { jobId, job };
}

// A call without what a tag edit may change.
const untagged = (c) => {
  const { tags, updatedAt, ...rest } = c;
  return rest;
};

before(async () => {
  // Chunks of 7: a run spans several chunks and several reads of a chunk's calls.
  srv = new Server({ env: { SWITCHBOARD_BULK_CHUNK: '7' } });
  assert.equal(cli(['seed', '--calls', '200', '--workspace', 'acme', '--seed', '11'], { dataDir: srv.dataDir }).status, 0);
  await srv.start();
  for (const role of ['owner', 'dispatcher']) tok[role] = srv.token('acme', role, `${role}@acme.test`);
  calls = await listAll(srv, tok.owner);
});
after(() => srv.stop());

describe('the bulk edit cycle', () => {
  test('a bulk tag changes only the tags: queue status, follow-ups, contact, job and notes stay; the audit diff is the tags', async () => {
    // Calls with open follow-ups (queue "followup"), in triage, with contacts, jobs and notes.
    const withTasks = calls.slice(100, 108);
    const others = calls.slice(110, 132);
    const due = new Date(Date.now() + 86400000).toISOString();
    for (const c of withTasks)
      await ok(srv, 'POST', `/api/calls/${c.id}/followups`, tok.owner, { type: 'callback', dueAt: due, note: 'open task' }, 201);
    const queued = [];
    for (const c of withTasks) queued.push((await getCall(c.id)).queueStatus);
    assert.ok(queued.filter((q) => q === 'followup').length >= 3, `calls queued for their follow-ups: ${queued}`);
    const ids = [...withTasks, ...others].map((c) => c.id);
    const before = new Map();
    for (const id of ids) before.set(id, await getCall(id));
    const { jobId } = await run({ callIds: ids, operation: 'tag', data: { tags: ['cycle-check'] } });
    for (const id of ids) {
      const now = await getCall(id);
      assert.deepEqual(untagged(now), untagged(before.get(id)), `only tags changed on ${id}`);
      assert.deepEqual(now.tags, [...new Set([...before.get(id).tags, 'cycle-check'])].sort());
      const mine = (await audit(id)).filter((e) => e.metadata?.bulkJobId === jobId);
      assert.equal(mine.length, 1, `one audit row for ${id}`);
      assert.deepEqual(Object.keys(mine[0].diff), ['tags']);
      assert.equal(mine[0].source, 'bulk');
      assert.deepEqual(mine[0].diff.tags.from, before.get(id).tags);
    }
  });

  test('a bulk disposition ends as PATCH does: outcome, queue, SLA task and audited fields', async () => {
    // Calls alike in what the outcome's rules read: no tasks at all, not spam, answered.
    const ids = [];
    for (const c of calls.slice(20)) {
      if (ids.length === 12) break;
      const d = await getCall(c.id);
      if (!d.spam && d.status === 'completed' && !(d.followUpTasks || []).length) ids.push(c.id);
    }
    assert.equal(ids.length, 12);
    for (const id of ids) await ok(srv, 'PATCH', `/api/calls/${id}`, tok.owner, { disposition: null, valueEstCents: 5000 });
    const viaPatch = ids.slice(0, 6), viaBulk = ids.slice(6);
    for (const id of viaPatch) await ok(srv, 'PATCH', `/api/calls/${id}`, tok.dispatcher, { disposition: 'missed' });
    const { jobId } = await run({ callIds: viaBulk, operation: 'disposition', data: { disposition: 'missed' } });
    const shape = (c) => ({
      disposition: c.disposition,
      queueStatus: c.queueStatus,
      outcomeRequired: c.outcomeRequired,
      tasks: (c.followUpTasks || []).map((f) => ({ type: f.type, status: f.status, priority: f.priority, note: f.note })),
    });
    const lastDiffKeys = async (id, pick) => {
      const rows = (await audit(id)).filter(pick);
      return Object.keys(rows[rows.length - 1].diff).sort();
    };
    const want = shape(await getCall(viaPatch[0]));
    const wantKeys = await lastDiffKeys(viaPatch[0], (e) => e.action === 'call.updated');
    assert.equal(want.disposition, 'missed');
    for (const id of viaPatch) assert.deepEqual(shape(await getCall(id)), want, `PATCH ${id}`);
    for (const id of viaBulk) {
      assert.deepEqual(shape(await getCall(id)), want, `bulk ${id} as PATCH`);
      assert.deepEqual(await lastDiffKeys(id, (e) => e.metadata?.bulkJobId === jobId), wantKeys);
    }
  });

  test('small chunks with refused calls inside them: one audit row and one event per changed call, none for the refused', async () => {
    const users = (await ok(srv, 'GET', '/api/users', tok.owner)).users;
    const withJob = calls.filter((c) => c.job && c.job.techIds.length);
    const tech = users.find((u) => u.id === withJob[0].job.techIds[0]);
    const techTok = srv.token('acme', 'tech', tech.email);
    const mine = calls.filter((c) => c.job && c.job.techIds.includes(tech.id)).slice(0, 6).map((c) => c.id);
    const theirs = calls.filter((c) => !c.job || !c.job.techIds.includes(tech.id)).slice(0, 14).map((c) => c.id);
    assert.ok(mine.length >= 2);
    // Interleaved, so refusals fall inside chunks, between calls that change.
    const ids = [];
    for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
      if (theirs[2 * i]) ids.push(theirs[2 * i]);
      if (mine[i]) ids.push(mine[i]);
      if (theirs[2 * i + 1]) ids.push(theirs[2 * i + 1]);
    }
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${tok.owner}`);
    const events = [];
    ws.on('message', (m) => events.push(JSON.parse(m.toString())));
    await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
    const { jobId, job } = await run({ callIds: ids, operation: 'tag', data: { tags: ['chunked'] } }, techTok);
    assert.equal(job.processed, ids.length);
    assert.deepEqual(job.errors.map((e) => e.callId).sort(), [...theirs].sort());
    const seen = (id) => events.filter((e) => e.type === 'call_updated' && e.data.callId === id && e.data.changes?.tags);
    const end = Date.now() + 5000;
    while (Date.now() < end && mine.some((id) => seen(id).length === 0)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive with the rest
    ws.close();
    for (const id of mine) {
      assert.equal(seen(id).length, 1, `one event for ${id}`);
      assert.equal((await audit(id)).filter((e) => e.metadata?.bulkJobId === jobId).length, 1, `one audit row for ${id}`);
    }
    for (const id of theirs) {
      assert.equal(seen(id).length, 0, `no event for refused ${id}`);
      assert.equal((await audit(id)).filter((e) => e.metadata?.bulkJobId === jobId).length, 0, `no audit for refused ${id}`);
    }
  });
});
