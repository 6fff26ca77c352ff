// `switchboard user add … --phone NUMBER`: the phone click-to-call rings
// first, normalized to E.164 and visible at GET /api/me and in the users list;
// a phone that is no phone number is refused (non-zero exit, nothing created).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli } from './harness.mjs';

let srv, owner;

before(async () => {
  srv = await new Server().start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
});
after(() => srv.stop());

const users = async () => (await srv.req('GET', '/api/users', { token: owner })).json.users;

test('--phone sets the user\'s phone, as E.164', async () => {
  const r = cli(['user', 'add', '--workspace', 'acme', '--email', 'ringo@acme.test', '--role', 'dispatcher',
    '--name', 'Ringo', '--phone', '(415) 555-0177'], { dataDir: srv.dataDir });
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  const me = await srv.req('GET', '/api/me', { token: srv.token('acme', 'dispatcher', 'ringo@acme.test') });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.user.id, id);
  assert.equal(me.json.user.phone, '+14155550177');
  const listed = (await users()).find((u) => u.email === 'ringo@acme.test');
  assert.equal(listed.phone, '+14155550177');
});

test('an invalid phone is refused with a non-zero exit and creates nobody', async () => {
  for (const phone of ['not-a-phone', '12', '']) {
    const r = cli(['user', 'add', '--workspace', 'acme', '--email', 'bad-phone@acme.test', '--role', 'viewer',
      '--phone', phone], { dataDir: srv.dataDir });
    assert.notEqual(r.status, 0, `--phone '${phone}': ${r.stdout}`);
    assert.match(r.stderr, /phone/);
  }
  assert.ok(!(await users()).some((u) => u.email === 'bad-phone@acme.test'));
});
