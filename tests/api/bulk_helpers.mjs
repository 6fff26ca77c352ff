// Helpers shared by the bulk, export and print tests.
import assert from 'node:assert/strict';

export async function ok(srv, method, path, token, body, status = 200) {
  const r = await srv.req(method, path, { token, body });
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  return r.json;
}

// Every row of GET /api/calls for query (an object of parameters, arrays repeat), walking all pages.
export async function listAll(srv, token, query = {}) {
  const rows = [];
  let cursor;
  for (let i = 0; i < 10000; i++) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const x of [].concat(v)) q.append(k, String(x));
    q.set('limit', '100');
    if (cursor) q.set('cursor', cursor);
    const page = await ok(srv, 'GET', `/api/calls?${q}`, token);
    rows.push(...page.data);
    if (!page.hasMore) return rows;
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

// Polls GET path until done(json) or the time runs out.
export async function waitFor(srv, path, token, done, ms = 20000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    const r = await srv.req('GET', path, { token });
    last = r;
    if (r.status === 200 && done(r.json)) return r.json;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`timed out waiting on ${path}: ${last?.text}`);
}

export const jobDone = (srv, id, token, ms) =>
  waitFor(srv, `/api/bulk-jobs/${id}`, token, (j) => j.status === 'completed' || j.status === 'failed', ms);

export const exportReady = (srv, id, token, ms) =>
  waitFor(srv, `/api/exports/${id}`, token, (j) => j.status !== 'processing', ms);

// RFC 4180 parser: rows of cells (quoted fields, doubled quotes, CRLF).
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// A cell as the application wrote it, without the formula guard.
export const unguard = (s) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);
