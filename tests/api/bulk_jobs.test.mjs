// The durable bulk job runner: at most 5 running jobs per workspace (the 6th
// is 429 with Retry-After), and a job whose server is killed with SIGKILL
// mid-way resumes after a restart and applies every call exactly once.
// Chunks are made slow with the test-only bulk-chunk-delay-ms setting so the
// job's progress can be watched and interrupted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli, expectProblem } from './harness.mjs';
import { ok, listAll, jobDone, waitFor } from './bulk_helpers.mjs';

const SLOW = {
  SWITCHBOARD_BULK_CHUNK: '5',
  SWITCHBOARD_BULK_CHUNK_DELAY_MS: '150',
  SWITCHBOARD_BULK_LEASE_MS: '1000',
  SWITCHBOARD_BULK_WORKERS: '2',
};

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });

async function start(env, dataDir) {
  const s = new Server({ env, dataDir });
  servers.push(s);
  return s.start();
}

test('the 6th concurrent job of a workspace is refused with 429 and Retry-After', async () => {
  const srv = await start(SLOW);
  assert.equal(cli(['seed', '--calls', '120', '--workspace', 'acme', '--seed', '3'], { dataDir: srv.dataDir }).status, 0);
  const owner = srv.token('acme', 'owner', 'owner@acme.test');
  const other = srv.token('other', 'owner', 'owner@other.test');
  const calls = await listAll(srv, owner);
  const jobs = [];
  for (let i = 0; i < 5; i++) {
    const ids = calls.slice(i * 20, i * 20 + 20).map((c) => c.id);
    jobs.push((await ok(srv, 'POST', '/api/calls/bulk', owner, { callIds: ids, operation: 'tag', data: { tags: [`c${i}`] } }, 202)).jobId);
  }
  const sixth = await srv.req('POST', '/api/calls/bulk', { token: owner, body: { callIds: [calls[0].id], operation: 'tag', data: { tags: ['six'] } } });
  expectProblem(assert, sixth, 429);
  assert.ok(Number(sixth.headers.get('retry-after')) >= 1);
  // Another workspace has its own allowance.
  assert.equal(cli(['seed', '--calls', '5', '--workspace', 'other', '--seed', '4'], { dataDir: srv.dataDir }).status, 0);
  const otherIds = (await listAll(srv, other)).map((c) => c.id);
  await ok(srv, 'POST', '/api/calls/bulk', other, { callIds: otherIds, operation: 'tag', data: { tags: ['o'] } }, 202);
  // Once the jobs finish, there is room again.
  for (const id of jobs) assert.equal((await jobDone(srv, id, owner, 30000)).status, 'completed');
  await ok(srv, 'POST', '/api/calls/bulk', owner, { callIds: [calls[0].id], operation: 'tag', data: { tags: ['six'] } }, 202);
});

test('a job killed mid-way (SIGKILL) resumes after restart with exact counts, each call changed exactly once', async () => {
  const first = await start(SLOW);
  const dataDir = first.dataDir;
  assert.equal(cli(['seed', '--calls', '150', '--workspace', 'acme', '--seed', '5'], { dataDir }).status, 0);
  const owner = first.token('acme', 'owner', 'owner@acme.test');
  const calls = await listAll(first, owner);
  const ids = calls.slice(0, 100).map((c) => c.id);
  // A follow-up per call: applying an item twice would leave two tasks on a call, so the
  // counts below see any double application (a tag added twice would not show).
  const due = new Date(Date.now() + 86400000).toISOString();
  const { jobId, affectedCount } = await ok(first, 'POST', '/api/calls/bulk', owner,
    { callIds: ids, operation: 'followup', data: { type: 'task', dueAt: due, note: 'resumed after a crash' } }, 202);
  assert.equal(affectedCount, 100);
  const mid = await waitFor(first, `/api/bulk-jobs/${jobId}`, owner, (j) => j.processed >= 20);
  assert.ok(mid.processed < 100, `still running (${mid.processed})`);
  assert.equal(mid.status, 'running');
  first.stopping = true;
  first.proc.kill('SIGKILL');
  await first.exited;

  const second = await start(SLOW, dataDir);
  const before = (await ok(second, 'GET', `/api/bulk-jobs/${jobId}`, owner));
  assert.ok(before.processed >= 20 && before.processed < 100, `progress kept across the crash (${before.processed})`);
  assert.equal(before.processed % 5, 0, 'progress moves by whole chunks');
  const done = await jobDone(second, jobId, owner, 60000);
  assert.equal(done.status, 'completed');
  assert.equal(done.processed, 100);
  assert.equal(done.total, 100);
  assert.equal(done.errorCount, 0);
  const tasks = [];
  let cursor;
  do {
    const page = await ok(second, 'GET', `/api/followups?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, owner);
    tasks.push(...page.data.filter((t) => t.note === 'resumed after a crash'));
    cursor = page.hasMore ? page.nextCursor : null;
  } while (cursor);
  assert.equal(tasks.length, 100, 'one task per call, none twice');
  assert.deepEqual(tasks.map((t) => t.callId).sort(), [...ids].sort());
  for (const id of ids.slice(0, 30)) {
    const created = (await ok(second, 'GET', `/api/audit/calls/${id}`, owner)).events
      .filter((e) => e.action === 'call.followup_created' && e.source === 'bulk');
    // (a call whose own fields stay the same records no call event, only the task's)
    assert.ok(created.length <= 1, `call ${id} changed at most once`);
  }
});
