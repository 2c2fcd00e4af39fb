// certkeeper browser suite. Run by scripts/run-e2e against a live server; plain script on
// node's own modules + playwright-core, closing with "N passed, M failed".
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defectTests } from './defects.mjs';
import { api, apiOk, ARGS, assert, chromium, consoleErrors, fingerprint, makeLeaf, open, PLUGIN, run, SHOTS, signIn, test, URL_, watch } from './lib.mjs';

mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
const DESKTOP = { width: 1366, height: 900 };
const ctx = await browser.newContext({ viewport: DESKTOP });
const page = watch(await ctx.newPage(), 'main');
page.setDefaultTimeout(10000);

// Shared state between scenarios (they run in order).
const S = {};

/** Waits until the first row's common name is `want` (the list re-renders after the fetch). */
async function waitFirstCell(p, want) {
  await p.waitForFunction((w) => document.querySelector('tbody tr td[data-label="Common name"]')?.textContent === w, want, { timeout: 10000 }).catch(async () => {
    const got = await p.locator('tbody tr').first().locator('td[data-label="Common name"]').innerText();
    assert.equal(got, want, 'first row after sorting');
  });
}

/* ---------- seed: NetBox-like objects the tutorials use ---------- */

test('seed tenants, device, VM and service through the REST API', async () => {
  S.tenant = await apiOk('POST', '/api/tenancy/tenants/', { name: 'Acme Corp', slug: 'acme-corp', description: 'Main tenant' });
  S.tag = await apiOk('POST', '/api/extras/tags/', { name: 'production', slug: 'production', color: '2da44e' });
  S.device = await apiOk('POST', '/api/dcim/devices/', { name: 'web-01', status: 'active', tenant: S.tenant.id });
  S.vm = await apiOk('POST', '/api/virtualization/virtual-machines/', { name: 'api-vm-01', status: 'active', tenant: S.tenant.id });
  S.service = await apiOk('POST', '/api/ipam/services/', { name: 'https', protocol: 'tcp', ports: [443], device: S.device.id, description: 'Public web frontend' });
  assert.ok(S.service.id > 0);
});

/* ---------- sign-in / sign-out ---------- */

test('sign-in refuses a wrong password, keeps the session over a reload, signs out', async () => {
  const c = await browser.newContext({ viewport: DESKTOP });
  const p = watch(await c.newPage(), 'signin');
  try {
    await p.goto(`${URL_}/certificates`);
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    await p.getByLabel('Username').fill('admin');
    await p.getByLabel('Password').fill('not-the-password');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('alert').waitFor();
    assert.equal(await p.getByRole('heading', { name: 'Sign in' }).count(), 1, 'still on the sign-in form');
    const cookies0 = await c.cookies();
    assert.ok(!cookies0.some((k) => k.name === 'ck_session'), 'no session cookie after a failed sign-in');

    await p.getByLabel('Password').fill('pw');
    await p.getByRole('button', { name: 'Sign in' }).click();
    // Signed in on the page that was asked for.
    await p.getByRole('heading', { name: 'Certificates' }).waitFor();
    const cookie = (await c.cookies()).find((k) => k.name === 'ck_session');
    assert.ok(cookie, 'ck_session cookie set');
    assert.equal(cookie.httpOnly, true, 'session cookie is HttpOnly');
    assert.equal(cookie.sameSite, 'Strict', 'session cookie is SameSite=Strict');
    assert.equal(await p.evaluate(() => document.cookie.includes('ck_session')), false, 'cookie invisible to scripts');

    await p.reload();
    await p.getByRole('heading', { name: 'Certificates' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Sign out' }).count(), 1, 'still signed in after a reload');

    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    const me = await p.evaluate(async () => (await fetch('/api/auth/me/')).status);
    assert.equal(me, 401, '/api/auth/me/ after sign-out');
  } finally {
    await c.close();
  }
});

test('CSRF: an unsafe request with the session cookie but without X-CSRFToken is refused (403)', async () => {
  await signIn(page);
  const res = await page.evaluate(async () => {
    const body = (slug) => JSON.stringify({ name: `CSRF ${slug}`, slug });
    const without = await fetch('/api/tenancy/tenants/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body('csrf-without') });
    const me = await (await fetch('/api/auth/me/')).json();
    const withHeader = await fetch('/api/tenancy/tenants/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': me.csrf_token },
      body: body('csrf-with'),
    });
    const wrong = await fetch('/api/tenancy/tenants/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': 'not-the-token' },
      body: body('csrf-wrong'),
    });
    return { without: without.status, with: withHeader.status, wrong: wrong.status, token: typeof me.csrf_token === 'string' && me.csrf_token.length > 0 };
  });
  assert.ok(res.token, 'me returns a csrf_token');
  assert.equal(res.without, 403, 'POST without X-CSRFToken');
  assert.equal(res.wrong, 403, 'POST with a wrong X-CSRFToken');
  assert.equal(res.with, 201, 'POST with the X-CSRFToken');
  const list = await apiOk('GET', '/api/tenancy/tenants/?slug=csrf-without');
  assert.equal(list.results.filter((t) => t.slug === 'csrf-without').length, 0, 'refused request created nothing');
});

/* ---------- Tutorial 1 ---------- */

test('Tutorial 1: Smart Paste import → preview → save → assign to a service → analytics', async () => {
  S.shop = makeLeaf('shop', 'shop.example.test', 200, ['shop.example.test', 'www.shop.example.test']);
  await open(page, '/certificates');
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  const area = page.getByLabel('PEM content');
  await area.waitFor();
  await area.fill(S.shop.pem + S.shop.chainPem);
  await page.getByRole('heading', { name: '2 certificates found' }).waitFor();

  const leaf = page.getByRole('article', { name: 'Certificate shop.example.test' });
  const text = await leaf.innerText();
  for (const want of ['shop.example.test', 'DNS:www.shop.example.test', S.shop.fingerprint, 'RSA 2048', 'Example Test Root']) {
    assert.ok(text.includes(want), `preview shows ${want}:\n${text}`);
  }
  assert.match(text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC → \d{4}-\d{2}-\d{2}/, 'validity period shown');
  const root = page.getByRole('article', { name: 'Certificate Example Test Root' });
  assert.ok((await root.innerText()).includes('ECDSA 256'), 'chain certificate previewed too');
  await page.screenshot({ path: join(SHOTS, 'import-preview-light.png'), fullPage: true });

  await leaf.getByRole('button', { name: 'Save' }).click();
  await leaf.getByText('Saved as').waitFor();
  const found = await apiOk('GET', `${PLUGIN}/certificates/?q=shop.example.test`);
  const saved = found.results.find((c) => c.common_name === 'shop.example.test');
  assert.ok(saved, 'certificate saved');
  assert.equal(saved.fingerprint_sha256, S.shop.fingerprint);
  S.shopId = saved.id;
  // The chain's root was not saved as a certificate of its own: it is the leaf's chain.
  assert.ok((await apiOk('GET', `${PLUGIN}/certificates/${saved.id}/`)).issuer_chain.includes(S.shop.chainPem.split('\n')[1]), 'chain kept with the leaf');
  const rootList = await apiOk('GET', `${PLUGIN}/certificates/?q=Example%20Test%20Root`);
  assert.equal(rootList.results.filter((c) => c.common_name === 'Example Test Root').length, 0, 'unsaved chain certificate not stored');

  // Step 4: assign it to the service from the detail page.
  await leaf.getByRole('link', { name: 'Add assignment' }).click();
  await page.getByRole('tab', { name: /Assignments/ }).waitFor();
  assert.equal(await page.getByRole('tab', { name: /Assignments/ }).getAttribute('aria-selected'), 'true');
  await page.getByRole('button', { name: 'Add assignment' }).click();
  await page.getByLabel('Object type').selectOption('ipam.service');
  const target = page.locator('#f-assignments-assigned_object_id');
  assert.equal(await page.locator('label[for="f-assignments-assigned_object_id"]').count(), 1, 'the object select is labelled');
  await page.waitForFunction(() => document.querySelectorAll('#f-assignments-assigned_object_id option').length > 1);
  await target.selectOption(String(S.service.id));
  await page.getByLabel('Notes').fill('primary frontend');
  await page.getByRole('button', { name: 'Assign' }).click();
  await page.getByRole('cell', { name: 'primary frontend' }).waitFor();
  const asg = await apiOk('GET', `${PLUGIN}/assignments/?certificate_id=${S.shopId}`);
  assert.equal(asg.count, 1, 'one assignment');
  assert.equal(asg.results[0].assigned_object_type, 'ipam.service');
  assert.equal(asg.results[0].assigned_object_id, S.service.id);
  assert.equal(asg.results[0].notes, 'primary frontend');

  // Step 5: analytics.
  await page.getByRole('link', { name: 'Analytics' }).click();
  await page.getByRole('heading', { name: 'Expiry forecast' }).waitFor();
  const total = await page.locator('.kpi', { hasText: 'Certificates' }).locator('.kpi-value').innerText();
  const summary = await apiOk('GET', `${PLUGIN}/analytics/summary/`);
  assert.equal(Number(total), summary.total, 'KPI shows the summary total');
  assert.ok(summary.total >= 1);
  const algo = await page.locator('.card', { hasText: 'Algorithms' }).innerText();
  assert.match(algo, /RSA\s+\d+/, 'algorithm distribution lists RSA');
  const bucket = await page.locator('.card', { hasText: 'Expiry forecast' }).innerText();
  assert.match(bucket, />\s*90 d\s+\d+/, 'expiry forecast has the >90 d bucket');
  const buckets90 = summary.expiry_buckets.find((b) => b.bucket === '90+');
  assert.ok(buckets90 && buckets90.count >= 1, 'the 200-day certificate is counted in >90');
});

test('a pasted private key is refused with the API message', async () => {
  await open(page, '/import');
  await page.getByLabel('PEM content').fill(S.shop.keyPem + S.shop.pem);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.ok(text.includes('Private key detected. For security reasons, private keys cannot be stored.'), text);
  assert.equal(await page.getByRole('button', { name: 'Save', exact: true }).count(), 0, 'nothing to save');
  await page.screenshot({ path: join(SHOTS, 'import-private-key-light.png'), fullPage: true });
});

test('a duplicate is refused and links to the existing record', async () => {
  await open(page, '/import');
  await page.getByLabel('PEM content').fill(S.shop.pem);
  const card = page.getByRole('article', { name: 'Certificate shop.example.test' });
  await card.getByText('Duplicate').waitFor();
  assert.equal(await card.getByRole('button', { name: 'Save' }).count(), 0, 'no Save for a duplicate');
  const link = card.getByRole('link').filter({ hasText: 'shop.example.test' });
  assert.equal(await link.getAttribute('href'), `/certificates/${S.shopId}`);
  // The API refuses it too.
  const r = await api('POST', `${PLUGIN}/certificates/import/`, { pem_content: S.shop.pem });
  assert.equal(r.status, 400, 'real import of a duplicate');
  await link.click();
  await page.getByRole('heading', { name: /shop\.example\.test/ }).waitFor();
});

/* ---------- lists ---------- */

test('certificate list: pagination, search, filters, sorting, bulk status and bulk delete', async () => {
  const day = 86400000;
  const statuses = ['active', 'active', 'active', 'revoked', 'pending'];
  for (let i = 1; i <= 30; i++) {
    const n = String(i).padStart(2, '0');
    await apiOk('POST', `${PLUGIN}/certificates/`, {
      common_name: `bulk-${n}.example.test`,
      serial_number: `0B:${n}`,
      fingerprint_sha256: fingerprint(),
      issuer: 'CN=Bulk Test CA, O=Example, C=US',
      valid_from: new Date(Date.now() - 30 * day).toISOString().replace(/\.\d+Z$/, 'Z'),
      valid_to: new Date(Date.now() + i * 5 * day).toISOString().replace(/\.\d+Z$/, 'Z'),
      algorithm: i % 3 ? 'rsa' : 'ecdsa',
      key_size: i % 3 ? 2048 : 256,
      status: statuses[i % statuses.length],
      sans: [`DNS:bulk-${n}.example.test`],
      tenant: i % 2 ? S.tenant.id : null,
      tags: i % 4 === 0 ? [S.tag.id] : [],
    });
  }
  await open(page, '/certificates?q=bulk-&limit=25');
  await page.getByText('1–25 of 30').waitFor();
  assert.equal(await page.locator('tbody tr').count(), 25);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('26–30 of 30').waitFor();
  // The pager text follows the URL at once; the rows follow when the page request answers:
  // wait for the table to hold the second page (fails on time-out if it never does).
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 5);
  assert.equal(await page.locator('tbody tr').count(), 5);
  assert.match(page.url(), /offset=25/, 'page in the URL');

  // Search.
  await open(page, '/certificates');
  await page.getByRole('searchbox', { name: 'Search certificates' }).first().fill('bulk-07');
  await page.getByRole('searchbox', { name: 'Search certificates' }).first().press('Enter');
  await page.getByText('1–1 of 1').waitFor();
  assert.ok((await page.locator('tbody').innerText()).includes('bulk-07.example.test'));

  // Status filter (chips) + tenant filter.
  await open(page, '/certificates?q=bulk-');
  await page.getByRole('button', { name: /Filters/ }).click();
  await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Revoked' }).click();
  await page.waitForURL(/status=revoked/);
  await page.getByText('1–6 of 6').waitFor();
  const statusCells = await page.locator('tbody td[data-label="Status"]').allInnerTexts();
  assert.deepEqual([...new Set(statusCells)], ['Revoked']);
  await page.getByLabel('Tenant', { exact: true }).selectOption(String(S.tenant.id));
  await page.waitForURL(/tenant_id=/);
  await page.getByText('1–3 of 3').waitFor();

  // Expiring within N days (valid_to window) and tag.
  await open(page, '/certificates?q=bulk-&expiring_within=12');
  await page.getByText('1–2 of 2').waitFor();
  await open(page, `/certificates?q=bulk-&tag=${S.tag.slug}`);
  await page.getByText('1–7 of 7').waitFor();

  // Sorting by common name, both directions.
  await open(page, '/certificates?q=bulk-&limit=25');
  const firstCn = () => page.locator('tbody tr').first().locator('td[data-label="Common name"]').innerText();
  const defaultFirst = await firstCn();
  assert.equal(defaultFirst, 'bulk-30.example.test', 'default order: latest expiry first');
  await page.getByRole('button', { name: /Common name/ }).click();
  await page.waitForURL(/ordering=common_name/);
  await waitFirstCell(page, 'bulk-01.example.test');
  assert.equal(await page.getByRole('columnheader', { name: /Common name/ }).getAttribute('aria-sort'), 'ascending');
  await page.getByRole('button', { name: /Common name/ }).click();
  await page.waitForURL(/ordering=-common_name/);
  await waitFirstCell(page, 'bulk-30.example.test');
  assert.equal(await page.getByRole('columnheader', { name: /Common name/ }).getAttribute('aria-sort'), 'descending');

  // Bulk status change of two rows.
  await page.getByRole('checkbox', { name: 'Select bulk-30.example.test' }).check();
  await page.getByRole('checkbox', { name: 'Select bulk-29.example.test' }).check();
  await page.getByRole('button', { name: 'Set status…' }).click();
  await page.getByLabel('New status').selectOption('archived');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  const archived = await apiOk('GET', `${PLUGIN}/certificates/?q=bulk-&status=archived`);
  assert.deepEqual(archived.results.map((c) => c.common_name).sort(), ['bulk-29.example.test', 'bulk-30.example.test']);

  // Bulk delete of three rows.
  await page.getByRole('checkbox', { name: 'Select bulk-28.example.test' }).check();
  await page.getByRole('checkbox', { name: 'Select bulk-27.example.test' }).check();
  await page.getByRole('checkbox', { name: 'Select bulk-26.example.test' }).check();
  await page.getByRole('group', { name: 'Bulk actions' }).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByText('1–25 of 27').waitFor();
  const left = await apiOk('GET', `${PLUGIN}/certificates/?q=bulk-&limit=1`);
  assert.equal(left.count, 27);
});

test('forms show the API validation errors next to the fields, then create', async () => {
  await open(page, '/tenants/new');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  // The API names the field(s) at fault; each message sits under its own field.
  const err = page.locator('.field.has-error .field-error').first();
  await err.waitFor();
  assert.ok((await err.innerText()).length > 0, 'message under the field');
  const field = await page.locator('.field.has-error').first().locator('input, select, textarea').first();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  const errId = await err.getAttribute('id');
  assert.ok((await field.getAttribute('aria-describedby')).includes(errId), 'message tied to the control');
  assert.equal(page.url(), `${URL_}/tenants/new`, 'still on the form');
  await page.getByLabel('Name').fill('Globex');
  await page.getByLabel('Slug').fill('globex');
  await page.getByLabel('Description').fill('Second tenant');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('heading', { name: 'Globex' }).waitFor();
  const t = await apiOk('GET', '/api/tenancy/tenants/?slug=globex');
  assert.equal(t.results[0]?.description, 'Second tenant');
});

/* ---------- Tutorial 2 ---------- */

test('Tutorial 2: Janus comparison dialog, then Renew & Transfer (or Add as New without renew API)', async () => {
  const oldCert = makeLeaf('janus-old', 'janus.example.test', 10);
  const newCert = makeLeaf('janus-new', 'janus.example.test', 90);
  const imported = await apiOk('POST', `${PLUGIN}/certificates/import/`, { pem_content: oldCert.pem });
  const oldId = imported.id ?? imported.certificates?.[0]?.id;
  assert.ok(oldId, 'old certificate imported');
  await apiOk('POST', `${PLUGIN}/assignments/`, { certificate: oldId, assigned_object_type: 'ipam.service', assigned_object_id: S.service.id, is_primary: true, notes: 'janus' });

  await open(page, `/import?renew_from=${oldId}`);
  await page.getByText('Renewal mode').waitFor();
  await page.getByLabel('PEM content').fill(newCert.pem);
  const dialog = page.getByRole('dialog', { name: /Janus comparison/ });
  await dialog.waitFor();
  // The dialog fills in the assignments when their request answers: wait for that row, not
  // for the dialog alone (reading it at once raced with the request under load).
  await dialog.getByText(/will be transferred/).waitFor();
  const text = await dialog.innerText();
  const serial = (await apiOk('GET', `${PLUGIN}/certificates/${oldId}/`)).serial_number;
  assert.ok(text.includes(serial), 'current serial shown');
  assert.match(text, /Common name\s+janus\.example\.test\s+janus\.example\.test/);
  assert.match(text, /Assignments\s+1 assignment\s+\(will be transferred\)/);
  assert.ok(text.includes('https'), 'assignment to transfer listed');
  assert.ok(text.includes('RSA'), 'algorithm compared');
  await page.screenshot({ path: join(SHOTS, 'janus-dialog-light.png'), fullPage: false });
  await page.evaluate(() => localStorage.setItem('ck-theme', 'dark'));
  await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
  await page.screenshot({ path: join(SHOTS, 'janus-dialog-dark.png'), fullPage: false });
  await page.evaluate(() => localStorage.setItem('ck-theme', 'light'));
  await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));

  await dialog.getByRole('button', { name: 'Renew & Transfer' }).click();
  // Either the renew API exists (→ the new certificate's page) or it answers 404/405 and
  // the dialog hides the choice, leaving Add as New.
  const outcome = await Promise.race([
    page.waitForURL((u) => /\/certificates\/\d+$/.test(new URL(u).pathname), { timeout: 10000 }).then(() => 'renewed'),
    dialog.getByText('does not offer renew').waitFor({ timeout: 10000 }).then(() => 'no-renew-api'),
  ]);
  if (outcome === 'renewed') {
    const newId = Number(new URL(page.url()).pathname.split('/').pop());
    assert.notEqual(newId, oldId);
    const old = await apiOk('GET', `${PLUGIN}/certificates/${oldId}/`);
    assert.equal(old.status, 'replaced', 'old certificate replaced');
    const moved = await apiOk('GET', `${PLUGIN}/assignments/?certificate_id=${newId}`);
    assert.equal(moved.count, 1, 'assignment transferred');
    const stay = await apiOk('GET', `${PLUGIN}/assignments/?certificate_id=${oldId}`);
    assert.equal(stay.count, 0, 'assignment moved, not copied');
    // The new certificate's lifecycle links to the old one.
    await page.getByRole('tab', { name: 'Lifecycle' }).click();
    await page.getByRole('link', { name: `certificate #${oldId}` }).first().waitFor();
    // Revert from the old certificate's page ("I want to revert a renewal").
    await open(page, `/certificates/${oldId}`);
    await page.getByRole('button', { name: 'Revert renewal' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revert renewal' }).click();
    await page.getByRole('link', { name: /Renew/ }).waitFor();
    assert.equal((await apiOk('GET', `${PLUGIN}/certificates/${oldId}/`)).status, 'active', 'old active again');
    assert.equal((await apiOk('GET', `${PLUGIN}/assignments/?certificate_id=${oldId}`)).count, 1, 'assignment back');
    assert.equal((await apiOk('GET', `${PLUGIN}/certificates/${newId}/`)).status, 'archived', 'successor archived');
  } else {
    assert.equal(await dialog.getByRole('button', { name: 'Renew & Transfer' }).count(), 0, 'Renew hidden after 404/405');
    await dialog.getByRole('button', { name: 'Add as New' }).click();
    await page.waitForURL((u) => /\/certificates\/\d+$/.test(new URL(u).pathname));
    const newId = Number(new URL(page.url()).pathname.split('/').pop());
    assert.notEqual(newId, oldId);
    const both = await apiOk('GET', `${PLUGIN}/certificates/?q=janus.example.test`);
    assert.equal(both.count, 2, 'both certificates kept by Add as New');
  }
  S.janusOld = oldId;
});

/* ---------- certificate detail ---------- */

test('certificate detail tabs: details, assignments, lifecycle, changelog, PEM', async () => {
  await open(page, `/certificates/${S.shopId}`);
  await page.getByRole('heading', { name: /shop\.example\.test/ }).waitFor();
  assert.ok((await page.locator('main').innerText()).includes(S.shop.fingerprint));
  await page.getByRole('tab', { name: 'Lifecycle' }).click();
  await page.getByText('Certificate imported').first().waitFor();
  await page.getByRole('tab', { name: 'Changelog' }).click();
  await page.locator('.timeline .badge', { hasText: /create/i }).first().waitFor();
  await page.getByRole('tab', { name: 'PEM' }).click();
  const pem = await page.getByLabel('Certificate PEM').innerText();
  assert.ok(pem.startsWith('-----BEGIN CERTIFICATE-----'), 'PEM shown');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  assert.equal(download.suggestedFilename(), 'shop.example.test.pem');
  // Keyboard: arrows move between tabs.
  await page.getByRole('tab', { name: 'PEM' }).focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByRole('tab', { name: 'Changelog' }).getAttribute('aria-selected'), 'true');
  // Remove the assignment from the tab.
  await page.getByRole('tab', { name: /Assignments/ }).click();
  await page.getByRole('button', { name: /Remove assignment/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await page.getByText('Not assigned to anything yet').waitFor();
  const asg = await apiOk('GET', `${PLUGIN}/assignments/?certificate_id=${S.shopId}`);
  assert.equal(asg.count, 0);
  // Put it back for the screenshots.
  await apiOk('POST', `${PLUGIN}/assignments/`, { certificate: S.shopId, assigned_object_type: 'ipam.service', assigned_object_id: S.service.id, is_primary: true, notes: 'primary frontend' });
});

test('admin: create a user and an API token (key shown once)', async () => {
  await open(page, '/admin/users/new');
  await page.getByLabel('Username').fill('auditor');
  await page.getByLabel('Password').fill('auditor-pass-1');
  await page.getByLabel('Email').fill('auditor@example.test');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('heading', { name: 'auditor' }).waitFor();
  const users = await apiOk('GET', '/api/users/users/?username=auditor');
  const user = users.results.find((u) => u.username === 'auditor');
  assert.ok(user, 'user created');
  assert.equal(user.password, undefined, 'password never read back');

  await open(page, `/admin/tokens/new?user=${user.id}`);
  await page.getByLabel('Description').fill('CI sync');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('Copy this token now').waitFor();
  const key = (await page.locator('.token-key').innerText()).trim();
  assert.ok(key.length >= 20, 'token key shown');
  const who = await fetch(`${URL_}/api/auth/me/`, { headers: { Authorization: `Token ${key}` } });
  assert.equal(who.status, 200, 'the new token authenticates');
  assert.equal((await who.json()).user.username, 'auditor');
  await page.reload();
  await page.getByRole('heading', { name: /./ }).first().waitFor();
  assert.equal(await page.getByText('Copy this token now').count(), 0, 'key not shown again');
});

test('keyboard: "/" focuses the search, skip link, Escape closes dialogs', async () => {
  await open(page, '/certificates');
  await page.locator('body').press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'global-search');
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 600, y: 5 } });
  await open(page, '/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await open(page, `/certificates/${S.shopId}`);
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  // Every form control on the main pages has a label.
  for (const path of ['/import', '/certificates/new', '/services/new', '/assignments/new']) {
    await open(page, path);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('main input, main select, main textarea')]
        .filter((el) => el.type !== 'hidden')
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${path}`);
  }
});

test('theme toggle switches and is remembered', async () => {
  await open(page, '/');
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  const after = await page.evaluate(() => document.documentElement.dataset.theme);
  assert.notEqual(after, before);
  await page.reload();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), after, 'remembered over a reload');
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
});

test('home dashboard lists certificates inside the warning/critical thresholds', async () => {
  await open(page, '/');
  const table = page.getByRole('table', { name: 'Certificates expiring soon' });
  await table.waitFor();
  const txt = await table.innerText();
  // bulk-01 (5 d) and bulk-02 (10 d) are active and critical; janus-old is 10 d.
  assert.ok(txt.includes('bulk-01.example.test'), txt);
  assert.ok(!txt.includes('shop.example.test'), '200-day certificate not listed');
});

/* ---------- screenshots of every page, both themes ---------- */

const PAGES = [
  ['dashboard', '/'],
  ['certificates', '/certificates'],
  ['certificates-filtered', '/certificates?status=active&expiring_within=30'],
  ['certificate-detail', () => `/certificates/${S.shopId}`],
  ['certificate-assignments', () => `/certificates/${S.shopId}?tab=assignments`],
  ['certificate-lifecycle', () => `/certificates/${S.shopId}?tab=lifecycle`],
  ['certificate-changelog', () => `/certificates/${S.shopId}?tab=changelog`],
  ['certificate-pem', () => `/certificates/${S.shopId}?tab=pem`],
  ['certificate-edit', () => `/certificates/${S.shopId}/edit`],
  ['certificate-new', '/certificates/new'],
  ['import', '/import'],
  ['assignments', '/assignments'],
  ['certificate-authorities', '/certificate-authorities'],
  ['certificate-authority-new', '/certificate-authorities/new'],
  ['csrs', '/csrs'],
  ['csr-new', '/csrs/new'],
  ['analytics', '/analytics'],
  ['tenants', '/tenants'],
  ['tenant-detail', () => `/tenants/${S.tenant.id}`],
  ['tags', '/tags'],
  ['tag-new', '/tags/new'],
  ['devices', '/devices'],
  ['device-detail', () => `/devices/${S.device.id}`],
  ['virtual-machines', '/virtual-machines'],
  ['services', '/services'],
  ['service-new', '/services/new'],
  ['service-detail', () => `/services/${S.service.id}`],
  ['users', '/admin/users'],
  ['tokens', '/admin/tokens'],
  ['not-found', '/no/such/page'],
];

for (const theme of ['light', 'dark']) {
  test(`screenshots of every page (${theme})`, async () => {
    const c = await browser.newContext({ viewport: DESKTOP });
    const p = watch(await c.newPage(), `shots-${theme}`);
    try {
      await p.goto(`${URL_}/`);
      await p.evaluate((t) => localStorage.setItem('ck-theme', t), theme);
      await p.reload();
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
      await p.screenshot({ path: join(SHOTS, `login-${theme}.png`) });
      await p.getByLabel('Username').fill('admin');
      await p.getByLabel('Password').fill('pw');
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
      for (const [name, path] of PAGES) {
        await p.goto(URL_ + (typeof path === 'function' ? path() : path));
        await p.waitForLoadState('networkidle');
        await p.locator('.loading').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
        assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), theme);
        await p.screenshot({ path: join(SHOTS, `${name}-${theme}.png`), fullPage: true });
      }
      // A phone.
      await p.setViewportSize({ width: 390, height: 844 });
      for (const [name, path] of [
        ['phone-dashboard', '/'],
        ['phone-certificates', '/certificates'],
        ['phone-certificate-detail', `/certificates/${S.shopId}`],
        ['phone-import', '/import'],
      ]) {
        await p.goto(URL_ + path);
        await p.waitForLoadState('networkidle');
        await p.screenshot({ path: join(SHOTS, `${name}-${theme}.png`) });
      }
      await p.getByRole('button', { name: 'Menu' }).click();
      await p.getByRole('link', { name: 'Analytics' }).waitFor();
      await p.waitForTimeout(400); // the slide-in transition
      await p.screenshot({ path: join(SHOTS, `phone-menu-${theme}.png`) });
    } finally {
      await c.close();
    }
  });
}

defectTests(browser);

test('no console errors (CSP violations, exceptions) on any page', async () => {
  assert.deepEqual(consoleErrors, []);
});

const failed = await run(async (name) => {
  const safe = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  await page.screenshot({ path: join(SHOTS, `FAILED-${safe}.png`), fullPage: true });
});
await browser.close();
process.exit(failed ? 1 : 0);
