// Helpers of the browser suite: a tiny test runner, the REST client used for seeding,
// test certificates made with the openssl CLI, and browser/page set-up.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const URL_ = process.env.CK_URL;
export const TOKEN = process.env.CK_TOKEN;
export const USERNAME = process.env.CK_USERNAME || 'admin';
export const PASSWORD = process.env.CK_PASSWORD || 'pw';
export const TMP = process.env.CK_TMP || '/tmp';
export const SHOTS = process.env.CK_SHOTS || process.env.CK_SCREENSHOTS || 'build/screenshots';
const WEB = process.env.CK_WEB || new URL('../../web', import.meta.url).pathname;

if (!URL_ || !TOKEN) {
  console.error('run through scripts/run-e2e (CK_URL and CK_TOKEN are not set)');
  process.exit(2);
}

const require = createRequire(join(WEB, 'package.json'));
export const { chromium } = require('playwright-core');

/* ---------- runner ---------- */

const tests = [];
export function test(name, fn) {
  tests.push({ name, fn });
}

/** CK_E2E_ONLY=<regex> runs only the matching tests (and the seeding ones), for iterating. */
export async function run(onFailure) {
  let passed = 0;
  let failed = 0;
  const t0 = Date.now();
  const only = process.env.CK_E2E_ONLY ? new RegExp(process.env.CK_E2E_ONLY) : null;
  for (const [i, t] of tests.entries()) {
    if (only && !only.test(t.name) && !t.name.startsWith('seed')) continue;
    const start = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok ${i + 1} - ${t.name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i + 1} - ${t.name}`);
      console.log(
        String(e && e.stack ? e.stack : e)
          .split('\n')
          .slice(0, 12)
          .map((l) => `    ${l}`)
          .join('\n'),
      );
      if (onFailure) await onFailure(t.name).catch(() => {});
    }
  }
  console.log(`# e2e finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

/* ---------- REST client (token auth, for seeding and checking) ---------- */

export async function api(method, path, body) {
  const res = await fetch(URL_ + path, {
    method,
    headers: { Authorization: `Token ${TOKEN}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data };
}

/** POST/PATCH that must succeed; returns the body. */
export async function apiOk(method, path, body) {
  const r = await api(method, path, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} -> ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

export const PLUGIN = '/api/plugins/netbox-ssl';

export function fingerprint() {
  return [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/* ---------- certificates (throw-away keys, made per run in the temp folder) ---------- */

const certDir = join(TMP, 'certs');
mkdirSync(certDir, { recursive: true });

function openssl(args) {
  execFileSync('openssl', args, { cwd: certDir, stdio: ['ignore', 'pipe', 'pipe'] });
}

let caMade = false;
function ensureCa() {
  if (caMade) return;
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/C=US/O=Example Test CA/CN=Example Test Root']);
  caMade = true;
}

/** A leaf signed by the test CA. Returns {pem, keyPem, chainPem, fingerprint, serial}. */
export function makeLeaf(name, cn, days, sans = [cn], keyType = 'rsa:2048', serialHex = randomBytes(8).toString('hex')) {
  ensureCa();
  const newkey = keyType.startsWith('ec') ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', keyType];
  openssl(['req', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(certDir, `${name}.ext`), `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${serialHex}`, '-out', `${name}.pem`, '-days', String(days), '-extfile', `${name}.ext`]);
  const fp = execFileSync('openssl', ['x509', '-in', `${name}.pem`, '-noout', '-fingerprint', '-sha256'], { cwd: certDir }).toString();
  return {
    pem: readFileSync(join(certDir, `${name}.pem`), 'utf8'),
    keyPem: readFileSync(join(certDir, `${name}.key`), 'utf8'),
    chainPem: readFileSync(join(certDir, 'ca.pem'), 'utf8'),
    fingerprint: fp.split('=')[1].trim(),
  };
}

/** A certificate signing request with a throw-away key. Returns its PEM. */
export function makeCsr(name, cn, sans = [cn], subject = '') {
  const ext = join(certDir, `${name}.csr.cnf`);
  writeFileSync(ext, `[req]\ndistinguished_name=dn\nreq_extensions=ext\n[dn]\n[ext]\nsubjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.csr.key`, '-out', `${name}.req.pem`, '-subj', `${subject}/CN=${cn}`, '-config', ext]);
  return readFileSync(join(certDir, `${name}.req.pem`), 'utf8');
}

/* ---------- browser ---------- */

export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Console errors and page errors seen in any page; 4xx answers the tests provoke on
 *  purpose show up as "Failed to load resource" and are not errors of the UI. */
export const consoleErrors = [];

export function watch(page, label) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    consoleErrors.push(`[${label}] ${text}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`[${label}] pageerror: ${e.message}`));
  return page;
}

export async function signIn(page, { theme } = {}) {
  if (theme) await page.addInitScript((t) => localStorage.setItem('ck-theme', t), theme);
  await page.goto(`${URL_}/`);
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Navigates client-side-safe: a full load of a real path (the server's SPA fallback). */
export async function open(page, path) {
  await page.goto(`${URL_}${path}`);
  await page.waitForLoadState('networkidle');
}

export { assert };
