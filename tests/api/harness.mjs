// Test harness: runs the real switchboard binary on a free port with a fresh
// data directory, and small helpers to talk to it.
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BIN = process.env.SWITCHBOARD_BIN || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../switchboard');

// Data directories made here are removed when the test process exits (a
// Server's own is removed by stop() unless kept; CLI tests make bare ones).
const made = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function freshDataDir() {
  const d = mkdtempSync(path.join(tmpdir(), 'sb-test-'));
  made.push(d);
  return d;
}

// Runs a CLI subcommand; returns { status, stdout, stderr }.
export function cli(args, { dataDir, env = {}, input } = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, ...(dataDir ? { SWITCHBOARD_DATA: dataDir } : {}), SWITCHBOARD_LOG_LEVEL: 'warn', ...env },
    input,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Creates a token with the CLI, like an operator would.
export function makeToken(dataDir, workspace, role, email) {
  const args = ['token', 'create', '--workspace', workspace, '--role', role];
  if (email) args.push('--email', email);
  const r = cli(args, { dataDir });
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim();
}

export class Server {
  constructor({ env = {}, dataDir } = {}) {
    this.dataDir = dataDir ?? freshDataDir();
    this.env = env;
    this.logs = [];
  }

  async start() {
    this.proc = spawn(BIN, ['serve', '--port', '0', '--threads', '2'], {
      env: { ...process.env, SWITCHBOARD_DATA: this.dataDir, ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      if (!this.stopping && (code !== 0 || signal)) {
        // A crash is a bug: show what the server said last.
        process.stderr.write(`switchboard exited unexpectedly (code ${code}, signal ${signal}):\n${this.logs.slice(-30).join('\n')}\n`);
      }
      resolve({ code, signal });
    }));
    let buffered = '';
    this.port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start:\n' + buffered)), 15000);
      this.proc.stderr.on('data', (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          this.logs.push(line);
          if (this.logs.length > 2000) this.logs.splice(0, 1000);
          const m = line.match(/listening on http:\/\/[^:]+:(\d+)/);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        }
      });
      this.proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${buffered}`)); });
    });
    this.base = `http://127.0.0.1:${this.port}`;
    return this;
  }

  token(workspace, role, email) {
    return makeToken(this.dataDir, workspace, role, email);
  }

  // fetch with a bearer token or none; body objects are sent as JSON.
  async req(method, p, { token, body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload = raw;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(this.base + p, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  }

  async healthy() {
    const r = await this.req('GET', '/healthz');
    return r.status === 200 && r.json?.status === 'ok';
  }

  async stop({ keepData = false } = {}) {
    this.stopping = true;
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await this.exited;
    }
    if (!keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// Asserts a problem+json response with the given status.
export function expectProblem(assert, r, status) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.ok(r.json.title && r.json.type, 'problem has type and title');
  assert.ok(r.json.requestId, 'problem carries the request id');
}

export { execFileSync };
