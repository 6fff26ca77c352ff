// Foundation: HTTP behaviour, errors, auth (tokens, login, cookies, CSRF),
// roles, CORS, graceful shutdown and the CLI.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Server, cli, expectProblem, freshDataDir } from './harness.mjs';

const ORIGIN = 'https://app.example.test';
let srv;
let owner, viewer, admin, dispatcher, tech;

before(async () => {
  srv = await new Server({
    env: { SWITCHBOARD_CORS_ORIGINS: ORIGIN, SWITCHBOARD_LOGIN_MAX_FAILURES: '3', SWITCHBOARD_MAX_BODY: '4096' },
  }).start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  dispatcher = srv.token('acme', 'dispatcher', 'disp@acme.test');
  tech = srv.token('acme', 'tech', 'tech@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  const r = cli(['user', 'add', '--workspace', 'acme', '--email', 'pat@acme.test', '--role', 'dispatcher',
    '--name', 'Pat', '--password-stdin'], { dataDir: srv.dataDir, input: 'correct horse battery\n' });
  assert.equal(r.status, 0, r.stderr);
});
after(() => srv.stop());

describe('health and plumbing', () => {
  test('healthz and readyz answer', async () => {
    const h = await srv.req('GET', '/healthz');
    assert.equal(h.status, 200);
    assert.deepEqual(h.json, { status: 'ok' });
    const r = await srv.req('GET', '/readyz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ready' });
  });

  test('request id is echoed when valid and generated otherwise', async () => {
    const a = await srv.req('GET', '/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    assert.equal(a.headers.get('x-request-id'), 'abc-123');
    const b = await srv.req('GET', '/healthz', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    assert.match(b.headers.get('x-request-id'), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
  });

  test('keep-alive: many requests reuse one connection', async () => {
    // Raw socket: two pipelined-in-sequence requests on one connection both answered.
    const port = srv.port;
    const out = await new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let data = '';
      s.on('data', (d) => {
        data += d;
        if ((data.match(/HTTP\/1\.1 200/g) || []).length === 2) { s.end(); resolve(data); }
      });
      s.on('error', reject);
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      setTimeout(() => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 50);
      setTimeout(() => reject(new Error('timeout: ' + data)), 3000);
    });
    assert.doesNotMatch(out.split('\r\n\r\n')[0], /Connection: close/i);
  });

  test('unknown path is 404, wrong method is 405 with Allow', async () => {
    expectProblem(assert, await srv.req('GET', '/api/nope', { token: owner }), 404);
    const r = await srv.req('DELETE', '/api/me', { token: owner });
    expectProblem(assert, r, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD, PATCH, OPTIONS');
    assert.ok(await srv.healthy());
  });

  test('openapi is served as JSON and YAML', async () => {
    const j = await srv.req('GET', '/api/openapi.json');
    assert.equal(j.status, 200);
    assert.match(j.json.openapi, /^3\./);
    const y = await srv.req('GET', '/api/openapi.yaml');
    assert.equal(y.status, 200);
    assert.match(y.text, /^openapi:/m);
  });
});

describe('authentication', () => {
  test('401 without a credential and with a bad one', async () => {
    for (const token of [undefined, 'sbt_nonsense', 'x'.repeat(500)]) {
      const r = await srv.req('GET', '/api/me', { token });
      expectProblem(assert, r, 401);
      assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    }
    const basic = await srv.req('GET', '/api/me', { headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
    expectProblem(assert, basic, 401);
    assert.ok(await srv.healthy());
  });

  test('a CLI token works as a bearer token and names its principal', async () => {
    const r = await srv.req('GET', '/api/me', { token: owner });
    assert.equal(r.status, 200);
    assert.equal(r.json.user.email, 'owner@acme.test');
    assert.equal(r.json.workspace.slug, 'acme');
    assert.equal(r.json.role, 'owner');
    assert.equal(r.json.permissions.dncOverride, true);
    const t = await srv.req('GET', '/api/me', { token: tech });
    assert.equal(t.json.permissions.edit, 'own');
    assert.equal(t.json.permissions.export, false);
  });

  test('403 for a role that may not (users list is Admin and Owner only)', async () => {
    for (const [token, status] of [[viewer, 403], [tech, 403], [dispatcher, 403], [admin, 200], [owner, 200]]) {
      const r = await srv.req('GET', '/api/users', { token });
      if (status === 403) expectProblem(assert, r, 403);
      else {
        assert.equal(r.status, 200);
        assert.ok(r.json.users.some((u) => u.email === 'pat@acme.test' && u.role === 'dispatcher'));
      }
    }
  });

  test('login: success sets the session cookie and returns a token', async () => {
    const r = await srv.req('POST', '/api/auth/login', { body: { email: 'PAT@acme.test', password: 'correct horse battery' } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.token, /^sbs_/);
    assert.equal(r.json.role, 'dispatcher');
    assert.ok(Date.parse(r.json.expiresAt) > Date.now());
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie, /^sb_session=sbs_[A-Za-z0-9_-]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Max-Age=\d+/);
    assert.doesNotMatch(cookie, /Secure/); // plain http here
    const session = cookie.split(';')[0];
    const me = await srv.req('GET', '/api/me', { headers: { Cookie: session } });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.email, 'pat@acme.test');
    const bearer = await srv.req('GET', '/api/me', { token: r.json.token });
    assert.equal(bearer.status, 200);
  });

  test('login: failures are 401, validation is 400', async () => {
    expectProblem(assert, await srv.req('POST', '/api/auth/login', { body: { email: 'pat@acme.test', password: 'wrong password' } }), 401);
    expectProblem(assert, await srv.req('POST', '/api/auth/login', { body: { email: 'nobody@acme.test', password: 'whatever1' } }), 401);
    const v = await srv.req('POST', '/api/auth/login', { body: { email: 42 } });
    expectProblem(assert, v, 400);
    const fields = v.json.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ['email', 'password']);
    expectProblem(assert, await srv.req('POST', '/api/auth/login', {}), 400);
  });

  test('login failures are throttled per account with Retry-After', async () => {
    const body = { email: 'victim@acme.test', password: 'not the password' };
    cli(['user', 'add', '--workspace', 'acme', '--email', 'victim@acme.test', '--role', 'viewer', '--password-stdin'],
      { dataDir: srv.dataDir, input: 'the real password\n' });
    for (let i = 0; i < 3; i++) expectProblem(assert, await srv.req('POST', '/api/auth/login', { body }), 401);
    const r = await srv.req('POST', '/api/auth/login', { body });
    expectProblem(assert, r, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    // Even the right password waits out the window.
    const ok = await srv.req('POST', '/api/auth/login', { body: { ...body, password: 'the real password' } });
    expectProblem(assert, ok, 429);
  });

  test('cookie writes need a trusted Origin (CSRF); bearer writes do not', async () => {
    const login = await srv.req('POST', '/api/auth/login', { body: { email: 'pat@acme.test', password: 'correct horse battery' } });
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const body = { name: 'Pat Q' };
    expectProblem(assert, await srv.req('PATCH', '/api/me', { body, headers: { Cookie: cookie } }), 403);
    expectProblem(assert, await srv.req('PATCH', '/api/me', { body, headers: { Cookie: cookie, Origin: 'https://evil.test' } }), 403);
    expectProblem(assert, await srv.req('PATCH', '/api/me', { body, headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' } }), 403);
    const ok = await srv.req('PATCH', '/api/me', { body, headers: { Cookie: cookie, Origin: ORIGIN } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.name, 'Pat Q');
    const same = await srv.req('PATCH', '/api/me', { body: { name: 'Pat' }, headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(same.status, 200);
    const viaBearer = await srv.req('PATCH', '/api/me', { token: login.json.token, body: { phone: '(415) 555-2671' } });
    assert.equal(viaBearer.status, 200, viaBearer.text);
    assert.equal(viaBearer.json.user.phone, '+14155552671');
  });

  test('logout revokes the session server-side and clears the cookie', async () => {
    const login = await srv.req('POST', '/api/auth/login', { body: { email: 'pat@acme.test', password: 'correct horse battery' } });
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const out = await srv.req('POST', '/api/auth/logout', { headers: { Cookie: cookie, Origin: ORIGIN } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie'), /sb_session=;.*Max-Age=0/);
    expectProblem(assert, await srv.req('GET', '/api/me', { headers: { Cookie: cookie } }), 401);
    expectProblem(assert, await srv.req('GET', '/api/me', { token: login.json.token }), 401);
  });

  test('logout with an API token revokes that token', async () => {
    const t = srv.token('acme', 'viewer', 'temp@acme.test');
    assert.equal((await srv.req('POST', '/api/auth/logout', { token: t })).status, 204);
    expectProblem(assert, await srv.req('GET', '/api/me', { token: t }), 401);
  });

  test('a user in two workspaces must name one; tokens are bound to their workspace', async () => {
    cli(['user', 'add', '--workspace', 'other', '--email', 'pat@acme.test', '--role', 'viewer'], { dataDir: srv.dataDir });
    const r = await srv.req('POST', '/api/auth/login', { body: { email: 'pat@acme.test', password: 'correct horse battery' } });
    expectProblem(assert, r, 400);
    assert.equal(r.json.errors[0].field, 'workspace');
    const o = await srv.req('POST', '/api/auth/login', { body: { email: 'pat@acme.test', password: 'correct horse battery', workspace: 'other' } });
    assert.equal(o.status, 200);
    assert.equal(o.json.workspace.slug, 'other');
    assert.equal(o.json.role, 'viewer');
  });
});

describe('bad input never hurts the server', () => {
  test('400 on malformed JSON, non-object JSON, unknown and mistyped fields', async () => {
    for (const raw of ['{', '{"name": }', 'null', '[1,2]', '"x"', '{"name":"a","name":"b"}', '\xff\xfe']) {
      const r = await srv.req('PATCH', '/api/me', { token: owner, raw, headers: { 'Content-Type': 'application/json' } });
      expectProblem(assert, r, 400);
    }
    const u = await srv.req('PATCH', '/api/me', { token: owner, body: { nmae: 'typo' } });
    expectProblem(assert, u, 400);
    assert.equal(u.json.errors[0].field, 'nmae');
    const p = await srv.req('PATCH', '/api/me', { token: owner, body: { phone: 'call me maybe' } });
    expectProblem(assert, p, 400);
    assert.equal(p.json.errors[0].field, 'phone');
    assert.ok(await srv.healthy());
  });

  test('413 on an oversized body, declared or chunked', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(10000) });
    expectProblem(assert, await srv.req('PATCH', '/api/me', { token: owner, raw: big, headers: { 'Content-Type': 'application/json' } }), 413);
    const stream = new ReadableStream({
      start(c) { for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000))); c.close(); },
    });
    const res = await fetch(srv.base + '/api/me', {
      method: 'PATCH', body: stream, duplex: 'half',
      headers: { Authorization: `Bearer ${owner}`, 'Content-Type': 'application/json' },
    }).catch((e) => e);
    if (!(res instanceof Error)) assert.equal(res.status, 413);
    assert.ok(await srv.healthy());
  });

  test('415 on a wrong content type', async () => {
    const r = await srv.req('PATCH', '/api/me', { token: owner, raw: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expectProblem(assert, r, 415);
    const ok = await srv.req('PATCH', '/api/me', { token: owner, raw: '{"name":"Owner"}', headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    assert.equal(ok.status, 200);
    assert.ok(await srv.healthy());
  });

  test('garbage on the wire is refused and the server stays up', async () => {
    await new Promise((resolve) => {
      const s = net.connect(srv.port, '127.0.0.1', () => s.end('BLAH \x00\x01\x02 nonsense\r\n\r\n'));
      s.on('close', resolve);
      s.on('error', resolve);
      s.resume();
    });
    assert.ok(await srv.healthy());
  });
});

describe('CORS', () => {
  test('preflight from a configured origin is allowed, others get no grant', async () => {
    const r = await srv.req('OPTIONS', '/api/me', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PATCH' } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(r.headers.get('access-control-allow-methods'), /PATCH/);
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    const e = await srv.req('OPTIONS', '/api/me', { headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'PATCH' } });
    assert.equal(e.headers.get('access-control-allow-origin'), null);
    const g = await srv.req('GET', '/api/me', { token: owner, headers: { Origin: ORIGIN } });
    assert.equal(g.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(g.headers.get('vary'), 'Origin');
  });
});

describe('lifecycle and CLI', () => {
  test('SIGTERM lets an in-flight request finish', async () => {
    const s = await new Server().start();
    const tok = s.token('w1', 'owner');
    const body = JSON.stringify({ name: 'Slow Upload' });
    const answer = new Promise((resolve, reject) => {
      const sock = net.connect(s.port, '127.0.0.1');
      let data = '';
      sock.on('data', (d) => { data += d; });
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
      sock.write(`PATCH /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` + body.slice(0, 5));
      setTimeout(() => { s.proc.kill('SIGTERM'); }, 200);
      setTimeout(() => sock.write(body.slice(5)), 600);
    });
    const data = await answer;
    assert.match(data, /^HTTP\/1\.1 200/);
    assert.match(data, /Slow Upload/);
    const exit = await s.exited;
    assert.equal(exit.code, 0);
    await s.stop();
  });

  test('token create prints only the token; bad role is refused', () => {
    const dir = freshDataDir();
    const r = cli(['token', 'create', '--workspace', 'shop', '--role', 'admin'], { dataDir: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sbt_[A-Za-z0-9_-]{43}\n$/);
    const bad = cli(['token', 'create', '--workspace', 'shop', '--role', 'king'], { dataDir: dir });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /role/);
    const slug = cli(['token', 'create', '--workspace', 'Bad Slug', '--role', 'admin'], { dataDir: dir });
    assert.equal(slug.status, 2);
  });

  test('every subcommand has --help; config check validates the environment', () => {
    for (const c of ['serve', 'migrate', 'seed', 'token', 'user', 'config', 'routes']) {
      const r = cli([c, '--help']);
      assert.equal(r.status, 0, c);
      assert.match(r.stdout, /usage: switchboard/);
    }
    const ok = cli(['config', 'check'], { env: { SWITCHBOARD_PORT: '9000' } });
    assert.equal(ok.status, 0);
    assert.match(ok.stdout, /^port\s+9000\s+env\s+SWITCHBOARD_PORT$/m);
    const bad = cli(['config', 'check'], { env: { SWITCHBOARD_PORT: '99999' } });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /SWITCHBOARD_PORT/);
    const flag = cli(['serve', '--port', 'abc']);
    assert.equal(flag.status, 2);
  });

  test('migrate reports the schema version; seed --demo prints a token per role once', async () => {
    const dir = freshDataDir();
    const m = cli(['migrate'], { dataDir: dir });
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stdout, /schema version \d+/);
    const s = cli(['seed', '--demo', '--if-empty'], { dataDir: dir });
    assert.equal(s.status, 0, s.stderr);
    const tokens = [...s.stdout.matchAll(/^(\w+)\s+\S+@demo\.switchboard\.test\s+(sbt_\S+)$/gm)];
    assert.deepEqual(tokens.map((t) => t[1]).sort(), ['admin', 'dispatcher', 'owner', 'tech', 'viewer']);
    const again = cli(['seed', '--demo', '--if-empty'], { dataDir: dir });
    assert.equal(again.status, 0);
    assert.doesNotMatch(again.stdout, /sbt_/);
    const s2 = await new Server({ dataDir: dir }).start();
    const me = await s2.req('GET', '/api/me', { token: tokens.find((t) => t[1] === 'tech')[2] });
    assert.equal(me.json.role, 'tech');
    const login = await s2.req('POST', '/api/auth/login', { body: { email: 'owner@demo.switchboard.test', password: 'switchboard-demo' } });
    assert.equal(login.status, 200);
    await s2.stop();
  });
});
