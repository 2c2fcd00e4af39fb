// Regression tests of the UI defects of issue 13 (items 5–9). Every check runs in four views
// — desktop 1440x900 and phone 390x844, light and dark theme — and leaves a screenshot per
// view in <screenshots>/defects/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiOk, assert, consoleErrors, fingerprint, makeCsr, makeLeaf, PLUGIN, SHOTS, signIn, test, URL_, watch } from './lib.mjs';

const VIEWS = [
  { name: 'desktop-light', viewport: { width: 1440, height: 900 }, theme: 'light' },
  { name: 'desktop-dark', viewport: { width: 1440, height: 900 }, theme: 'dark' },
  { name: 'phone-light', viewport: { width: 390, height: 844 }, theme: 'light', phone: true },
  { name: 'phone-dark', viewport: { width: 390, height: 844 }, theme: 'dark', phone: true },
];
const DIR = join(SHOTS, 'defects');
const DAY = 86400000;
const iso = (t) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

/** A certificate body for POST certificates/ (no PEM: every field is typed). */
function certBody(cn, { days = 100, status = 'active', ...rest } = {}) {
  return {
    common_name: cn,
    serial_number: fingerprint().slice(0, 23),
    fingerprint_sha256: fingerprint(),
    issuer: 'CN=Defect Test CA, O=Example, C=US',
    valid_from: iso(Date.now() - 400 * DAY),
    valid_to: iso(Date.now() + days * DAY),
    algorithm: 'rsa',
    key_size: 2048,
    status,
    sans: [`DNS:${cn}`],
    ...rest,
  };
}

export function defectTests(browser) {
  mkdirSync(DIR, { recursive: true });
  const pages = new Map();

  async function pageFor(v) {
    if (!pages.has(v.name)) {
      const ctx = await browser.newContext({ viewport: v.viewport, permissions: ['clipboard-read', 'clipboard-write'] });
      const p = watch(await ctx.newPage(), `defects-${v.name}`);
      // Signing in hashes the password (slow under ASan on a loaded machine).
      p.setDefaultTimeout(40000);
      try {
        await signIn(p, { theme: v.theme });
        p.setDefaultTimeout(15000);
      } catch (e) {
        await p.screenshot({ path: join(DIR, `FAILED-signin-${v.name}.png`) }).catch(() => {});
        throw e;
      }
      pages.set(v.name, p);
    }
    return pages.get(v.name);
  }

  /** Runs fn in every view; a failure names its view and leaves a FAILED screenshot. */
  async function eachView(fn) {
    for (const v of VIEWS) {
      const p = await pageFor(v);
      try {
        assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), v.theme, 'theme of the view');
        await fn(p, v);
      } catch (e) {
        await p.screenshot({ path: join(DIR, `FAILED-${v.name}.png`), fullPage: true }).catch(() => {});
        e.message = `[${v.name}] ${e.message}`;
        throw e;
      }
    }
  }

  const shot = (p, v, name) => p.screenshot({ path: join(DIR, `${name}-${v.name}.png`), fullPage: true });

  async function go(p, path) {
    await p.goto(URL_ + path);
    await p.waitForLoadState('networkidle');
  }

  /** The row count a list page shows once loaded ("a–b of N", or 0 with the empty state). */
  async function listCount(p) {
    await p.locator('main .pagination, main .empty').first().waitFor();
    const pager = p.locator('main .pagination .muted').first();
    if (!(await pager.count())) return 0;
    const m = /of (\d+)/.exec(await pager.innerText());
    assert.ok(m, 'pager text');
    return Number(m[1]);
  }

  /** Horizontal overflow of the page itself (what makes a phone scroll sideways). */
  const pageOverflow = (p) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  /* ---------- item 5: Add CSR ---------- */

  test('defects: Add CSR previews the pasted request (csrs/import/ dry run), then saves it', async () => {
    await eachView(async (p, v) => {
      const cn = `csr-${v.name}.example.test`;
      const pem = makeCsr(`csr-${v.name}`, cn, [cn, `www.${cn}`], '/C=DE/O=Example Inc');
      await go(p, '/csrs');
      await p.getByRole('link', { name: 'Add CSR' }).click();
      await p.getByLabel('CSR (PEM)').fill(pem);
      const card = p.getByRole('article', { name: `CSR ${cn}` });
      await card.waitFor();
      const text = await card.innerText();
      for (const want of [`CN=${cn}`, 'O=Example Inc', `DNS:www.${cn}`, 'ECDSA 256']) assert.ok(text.includes(want), `preview shows ${want}:\n${text}`);
      assert.equal((await apiOk('GET', `${PLUGIN}/csrs/?common_name=${cn}`)).count, 0, 'the preview saved nothing');
      await p.getByLabel('Requested by').fill('ops@example.test');
      await shot(p, v, 'csr-add-preview');
      await p.getByRole('button', { name: 'Save CSR' }).click();
      // The preview card has a heading with the same name: wait for the CSR's own page.
      await p.waitForURL(/\/csrs\/\d+$/);
      await p.getByRole('heading', { level: 1, name: cn, exact: true }).waitFor();
      const saved = (await apiOk('GET', `${PLUGIN}/csrs/?common_name=${cn}`)).results[0];
      assert.ok(saved, 'CSR saved');
      assert.equal(saved.requested_by, 'ops@example.test');
      assert.equal(saved.organization, 'Example Inc');
    });
  });

  test('defects: CSR detail shows the whole PEM, wrapped, nothing cut off', async () => {
    await eachView(async (p, v) => {
      const cn = `csr-view-${v.name}.example.test`;
      const csr = await apiOk('POST', `${PLUGIN}/csrs/import/`, { pem_content: makeCsr(`csr-view-${v.name}`, cn) });
      await go(p, `/csrs/${csr.id}`);
      // The detail shows the whole PEM: wrapped inside its box, nothing cut off on the right.
      const pre = p.locator('main pre.pem').first();
      await pre.waitFor();
      const box = await pre.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth, right: el.getBoundingClientRect().right }));
      assert.ok(box.sw <= box.cw + 1, `PEM wider than its box (${box.sw} > ${box.cw})`);
      assert.ok(box.right <= v.viewport.width, `PEM box ends at ${box.right} px`);
      assert.ok(await pageOverflow(p) <= 0, 'CSR page wider than the screen');
      await shot(p, v, 'csr-detail');
    });
  });

  test('defects: the CSR list names CSRs without a "CSR:" prefix', async () => {
    await eachView(async (p, v) => {
      const cn = `csr-view-${v.name}.example.test`;
      await go(p, `/csrs?q=${cn}`);
      const cell = p.locator('tbody td[data-label="Common name"]').first();
      await cell.waitFor();
      assert.equal((await cell.innerText()).trim(), cn);
      await shot(p, v, 'csr-list');
    });
  });

  /* ---------- item 6: every tile, bar and the list it opens count the same rows ---------- */

  test('defects: every dashboard tile counts the same rows as the list it opens', async () => {
    // Certificates that made the counts disagree: expired ones (by status and still active),
    // retired ones past their date, and some in neighbouring forecast buckets.
    const seeds = [
      ['count-exp-1', { days: -3, status: 'expired' }],
      ['count-exp-2', { days: -40, status: 'expired' }],
      ['count-exp-3', { days: -1, status: 'expired' }],
      ['count-act-past', { days: -2, status: 'active' }],
      ['count-repl-past', { days: -5, status: 'replaced' }],
      ['count-arch-past', { days: -9, status: 'archived' }],
      ['count-d5', { days: 5 }],
      ['count-d20', { days: 20 }],
      ['count-d45', { days: 45 }],
      ['count-d75', { days: 75, is_acme: true, acme_provider: 'letsencrypt' }],
    ];
    for (const [cn, opts] of seeds) await apiOk('POST', `${PLUGIN}/certificates/`, certBody(`${cn}.example.test`, opts));
    await eachView(async (p, v) => {
      await go(p, '/');
      await p.locator('.kpi').nth(4).waitFor();
      const labels = await p.locator('.kpi .kpi-label').allInnerTexts();
      assert.deepEqual(labels, ['Certificates', 'Critical (≤ 14 d)', 'Warning (≤ 30 d)', 'Expired', 'ACME managed']);
      if (v.name === 'desktop-light' || v.name === 'phone-dark') await shot(p, v, 'dashboard');
      for (const label of labels) {
        await go(p, '/');
        const tile = p.locator('.kpi', { hasText: label });
        const value = Number(await tile.locator('.kpi-value').innerText());
        await tile.click();
        await p.waitForURL(/\/certificates/);
        const listed = await listCount(p);
        assert.equal(listed, value, `tile "${label}" says ${value}, its list shows ${listed}`);
        if (label === 'Expired') {
          assert.ok(value >= 4, `the 3 expired and the 1 active past-date certificates are counted (${value})`);
          const statuses = new Set(await p.locator('tbody td[data-label="Status"]').allInnerTexts());
          for (const s of ['Replaced', 'Archived', 'Revoked']) assert.ok(!statuses.has(s), `a ${s} certificate is not counted as expired`);
          await shot(p, v, 'expired-list');
        }
      }
    });
  });

  test('defects: every analytics forecast bar counts the same rows as the list it opens', async () => {
    await eachView(async (p, v) => {
      await go(p, '/analytics');
      const forecast = p.locator('.card', { hasText: 'Expiry forecast' });
      await forecast.locator('.legend-btn').nth(5).waitFor();
      const n = await forecast.locator('.legend-btn').count();
      assert.equal(n, 6, 'six forecast buckets');
      await shot(p, v, 'analytics');
      // The day buckets first (their lists were cumulative), then Expired.
      for (const i of [...Array(n).keys()].slice(1).concat(0)) {
        await go(p, '/analytics');
        const btn = p.locator('.card', { hasText: 'Expiry forecast' }).locator('.legend-btn').nth(i);
        const label = await btn.locator('.legend-label').innerText();
        const value = Number(await btn.locator('.legend-val').innerText());
        await btn.click();
        await p.waitForURL(/\/certificates/);
        const listed = await listCount(p);
        assert.equal(listed, value, `bar "${label}" is ${value}, its list shows ${listed}`);
      }
    });
  });

  /* ---------- item 7: assignment picker ---------- */

  test('defects: assignment picker shows "service on parent", only targets the tenant rule allows, and searches as you type', async () => {
    const tx = await apiOk('POST', '/api/tenancy/tenants/', { name: 'Picker X', slug: 'picker-x' });
    const ty = await apiOk('POST', '/api/tenancy/tenants/', { name: 'Picker Y', slug: 'picker-y' });
    const dx = await apiOk('POST', '/api/dcim/devices/', { name: 'picker-dx', status: 'active', tenant: tx.id });
    const dy = await apiOk('POST', '/api/dcim/devices/', { name: 'picker-dy', status: 'active', tenant: ty.id });
    const d0 = await apiOk('POST', '/api/dcim/devices/', { name: 'picker-d0', status: 'active' });
    const vy = await apiOk('POST', '/api/virtualization/virtual-machines/', { name: 'picker-vy', status: 'active', tenant: ty.id });
    for (const parent of [{ device: dx.id }, { device: dy.id }, { device: d0.id }, { virtual_machine: vy.id }])
      await apiOk('POST', '/api/ipam/services/', { name: 'amqps', protocol: 'tcp', ports: [5671], ...parent });
    await apiOk('POST', '/api/ipam/services/', { name: 'imaps', protocol: 'tcp', ports: [993], device: dx.id });
    await eachView(async (p, v) => {
      const cert = await apiOk('POST', `${PLUGIN}/certificates/`, certBody(`picker-${v.name}.example.test`, { tenant: tx.id }));
      await go(p, `/certificates/${cert.id}?tab=assignments`);
      await p.getByRole('button', { name: 'Add assignment' }).click();
      await p.getByLabel('Object type').selectOption('ipam.service');
      const options = () => p.locator('#f-assignments-assigned_object_id option').allInnerTexts();
      await p.waitForFunction(() => document.querySelectorAll('#f-assignments-assigned_object_id option').length > 2);
      const all = await options();
      assert.ok(all.includes('amqps (tcp/5671) on picker-dx'), `service on its parent: ${all.join(' | ')}`);
      assert.ok(all.includes('amqps (tcp/5671) on picker-d0'), 'a service whose parent has no tenant is allowed');
      assert.ok(!all.some((o) => /on picker-(dy|vy)$/.test(o)), `services of another tenant are not offered: ${all.join(' | ')}`);
      await p.getByText('of other tenants hidden').waitFor();
      // Search as you type: no Enter, the options narrow while typing.
      assert.ok(all.includes('imaps (tcp/993) on picker-dx'));
      await p.getByRole('searchbox', { name: 'Search services' }).pressSequentially('amq', { delay: 30 });
      await p.waitForFunction(() => ![...document.querySelectorAll('#f-assignments-assigned_object_id option')].some((o) => o.textContent.startsWith('imaps')));
      assert.ok((await options()).includes('amqps (tcp/5671) on picker-dx'), 'the match stays');
      await shot(p, v, 'assignment-picker');
      await p.locator('#f-assignments-assigned_object_id').selectOption({ label: 'amqps (tcp/5671) on picker-dx' });
      await p.getByRole('button', { name: 'Assign' }).click();
      await p.getByText('Assigned picker-').waitFor();
      const asg = await apiOk('GET', `${PLUGIN}/assignments/?certificate_id=${cert.id}`);
      assert.equal(asg.count, 1, 'the first pick is accepted');
    });
  });

  /* ---------- item 8: Smart Paste saves the leaf with its chain; renewal pre-fills ---------- */

  test('defects: Smart Paste saves the leaf with the rest as its chain; CA certificates only on request', async () => {
    await eachView(async (p, v) => {
      const cn = `paste-${v.name}.example.test`;
      const leaf = makeLeaf(`paste-${v.name}`, cn, 120);
      await go(p, '/import');
      await p.getByLabel('PEM content').fill(leaf.pem + leaf.chainPem);
      await p.getByRole('heading', { name: '2 certificates found' }).waitFor();
      const leafCard = p.getByRole('article', { name: `Certificate ${cn}` });
      const caCard = p.getByRole('article', { name: 'Certificate Example Test Root' });
      assert.equal(await p.getByRole('button', { name: /^Save all/ }).count(), 0, 'no Save all that would store the CA too');
      assert.equal(await caCard.getByRole('button', { name: 'Save', exact: true }).count(), 0, 'the CA certificate has no default Save');
      const first = v === VIEWS[0];
      // The test CA is shared by the views: the first saves it on request, the others see it as a duplicate.
      if (first) await caCard.getByText('Kept as the issuer chain').waitFor();
      else await caCard.getByText('Duplicate').waitFor();
      assert.ok((await leafCard.innerText()).includes('with its chain (1 CA certificate)'));
      await shot(p, v, 'smart-paste-preview');
      await leafCard.getByRole('button', { name: 'Save', exact: true }).click();
      await leafCard.getByText('Saved as').waitFor();
      const saved = (await apiOk('GET', `${PLUGIN}/certificates/?common_name=${cn}`)).results[0];
      assert.ok(saved, 'leaf saved');
      const full = await apiOk('GET', `${PLUGIN}/certificates/${saved.id}/`);
      const caBody = leaf.chainPem.split('\n')[1];
      assert.ok(full.issuer_chain && full.issuer_chain.includes(caBody), 'the CA certificate is kept as the leaf\'s issuer chain');
      const roots = () => apiOk('GET', `${PLUGIN}/certificates/?common_name=Example%20Test%20Root`).then((r) => r.count);
      if (first) {
        assert.equal(await roots(), 0, 'the CA certificate is not an inventory record by default');
        await caCard.getByRole('button', { name: 'Save this CA certificate too…' }).click();
        await caCard.getByRole('button', { name: 'Save as inventory certificate' }).click();
        await caCard.getByText('Saved as').waitFor();
        assert.equal(await roots(), 1, 'saved on request');
      }
      await shot(p, v, 'smart-paste-saved');
    });
  });

  test('defects: renewal mode pre-fills tenant and key location from the old certificate', async () => {
    const tenant = await apiOk('POST', '/api/tenancy/tenants/', { name: 'Renewal Tenant', slug: 'renewal-tenant' });
    await eachView(async (p, v) => {
      const old = makeLeaf(`renew-old-${v.name}`, `renew-${v.name}.example.test`, 8);
      const imported = await apiOk('POST', `${PLUGIN}/certificates/import/`, { pem_content: old.pem, tenant: tenant.id, private_key_location: `Vault: /secret/${v.name}` });
      await go(p, `/import?renew_from=${imported.id}`);
      await p.getByText('Renewal mode').waitFor();
      await p.waitForFunction((id) => document.querySelector('#import-tenant')?.value === String(id), tenant.id);
      assert.equal(await p.getByLabel('Private key location').inputValue(), `Vault: /secret/${v.name}`);
      await shot(p, v, 'renewal-prefilled');
    });
  });

  /* ---------- item 9: smaller ones ---------- */

  test('defects: the certificate list fits 1440 px (ACME column in view) and a phone', async () => {
    await apiOk('POST', `${PLUGIN}/certificates/`, certBody('very-long-hostname-for-layout-testing.internal.example.test', { is_acme: true, acme_provider: 'letsencrypt' }));
    await eachView(async (p, v) => {
      await go(p, '/certificates?q=very-long-hostname');
      await p.locator('tbody tr').first().waitFor();
      const wrap = await p.locator('.table-wrap').first().evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
      assert.ok(wrap.sw <= wrap.cw + 1, `the table scrolls sideways (${wrap.sw} > ${wrap.cw})`);
      const acme = p.locator('tbody td[data-label="ACME"] .badge').first();
      const right = await acme.evaluate((el) => el.getBoundingClientRect().right);
      assert.ok(right <= v.viewport.width, `ACME badge ends at ${right} px`);
      assert.ok(await pageOverflow(p) <= 0, 'list page wider than the screen');
      await shot(p, v, 'certificate-list');
    });
  });

  test('defects: certificate detail fits a phone (long serial, all tabs in view)', async () => {
    const serial = '7fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3'; // 20 bytes, the longest serial allowed
    const old = makeLeaf('long-serial', 'long-serial.example.test', 20, undefined, 'rsa:2048', serial);
    const imported = await apiOk('POST', `${PLUGIN}/certificates/import/`, { pem_content: old.pem });
    await eachView(async (p, v) => {
      await go(p, `/certificates/${imported.id}`);
      await p.getByRole('heading', { name: /long-serial\.example\.test/ }).waitFor();
      assert.ok(await pageOverflow(p) <= 0, `certificate page is ${await p.evaluate(() => document.documentElement.scrollWidth)} px wide`);
      for (const tab of await p.getByRole('tab').all()) {
        const r = await tab.evaluate((el) => el.getBoundingClientRect().right);
        assert.ok(r <= v.viewport.width, `tab "${await tab.innerText()}" is off screen (${r} px)`);
      }
      await shot(p, v, 'certificate-detail');
    });
  });

  test('defects: the Janus comparison dialog fits a phone (labels beside their values)', async () => {
    const imported = (await apiOk('GET', `${PLUGIN}/certificates/?common_name=long-serial.example.test`)).results[0];
    assert.ok(imported, 'certificate of the previous test');
    await eachView(async (p, v) => {
      const next = makeLeaf(`long-serial-new-${v.name}`, 'long-serial.example.test', 90);
      await go(p, `/import?renew_from=${imported.id}`);
      await p.getByLabel('PEM content').fill(next.pem);
      const dialog = p.getByRole('dialog', { name: /Janus comparison/ });
      await dialog.waitFor();
      await dialog.getByText('0 assignments').waitFor();
      const over = await dialog.locator('table th, table td').evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent));
      assert.deepEqual(over, [], 'comparison cells whose text runs into the next column');
      const box = await dialog.evaluate((el) => el.getBoundingClientRect().right);
      assert.ok(box <= v.viewport.width, 'dialog inside the screen');
      await shot(p, v, 'janus-dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    });
  });

  test('defects: Edit keeps fields read from the PEM read-only and sends only what may change', async () => {
    await eachView(async (p, v) => {
      const leaf = makeLeaf(`locked-${v.name}`, `locked-${v.name}.example.test`, 60);
      const { id } = await apiOk('POST', `${PLUGIN}/certificates/import/`, { pem_content: leaf.pem });
      await go(p, `/certificates/${id}/edit`);
      await p.locator('#f-certificates-private_key_location').waitFor();
      for (const name of ['common_name', 'serial_number', 'fingerprint_sha256', 'issuer', 'valid_to', 'algorithm', 'pem_content']) {
        const control = p.locator(`#f-certificates-${name}`);
        assert.equal(await control.count(), 1, `${name} is on the form`);
        assert.equal(await control.getAttribute('readonly'), '', `${name} is read-only`);
      }
      await p.getByLabel('Private key location').fill(`Vault: /kv/${v.name}`);
      await shot(p, v, 'certificate-edit-locked');
      const [req] = await Promise.all([p.waitForRequest((r) => r.method() === 'PATCH'), p.getByRole('button', { name: 'Save changes' }).click()]);
      const body = JSON.parse(req.postData());
      for (const k of ['common_name', 'serial_number', 'fingerprint_sha256', 'valid_to', 'pem_content']) assert.ok(!(k in body), `PATCH does not send ${k}`);
      await p.waitForURL(new RegExp(`/certificates/${id}$`));
      assert.equal((await apiOk('GET', `${PLUGIN}/certificates/${id}/`)).private_key_location, `Vault: /kv/${v.name}`);
    });
  });

  test('defects: edit form dates read and write 24-hour UTC', async () => {
    await eachView(async (p, v) => {
      const c = await apiOk('POST', `${PLUGIN}/certificates/`, { ...certBody(`dates-${v.name}.example.test`), valid_to: '2027-03-04T15:30:00Z' });
      await go(p, `/certificates/${c.id}/edit`);
      const input = p.getByLabel('Valid to');
      assert.equal(await input.getAttribute('type'), 'text', 'not a locale-formatted datetime-local');
      assert.equal(await input.inputValue(), '2027-03-04 15:30');
      await input.fill('2027-03-05 17:45');
      await shot(p, v, 'certificate-edit-dates');
      await p.getByRole('button', { name: 'Save changes' }).click();
      await p.waitForURL(new RegExp(`/certificates/${c.id}$`));
      assert.equal((await apiOk('GET', `${PLUGIN}/certificates/${c.id}/`)).valid_to, '2027-03-05T17:45:00Z');
      // Input the API could never take is refused next to the field.
      await go(p, `/certificates/${c.id}/edit`);
      await p.getByLabel('Valid to').fill('03/05/2027 5:45 PM');
      await p.getByRole('button', { name: 'Save changes' }).click();
      await p.getByText('Enter a date and time as YYYY-MM-DD HH:MM (24-hour, UTC).').waitFor();
    });
  });

  test('defects: no countdown badge on replaced, archived or revoked certificates', async () => {
    const rep = await apiOk('POST', `${PLUGIN}/certificates/`, certBody('replaced-badge.example.test', { days: 6, status: 'replaced' }));
    await apiOk('POST', `${PLUGIN}/certificates/`, certBody('revoked-badge.example.test', { days: 6, status: 'revoked' }));
    await eachView(async (p, v) => {
      await go(p, '/certificates?q=-badge.example.test');
      await p.locator('tbody tr').nth(1).waitFor();
      const cells = p.locator('tbody td[data-label="Expires"]');
      assert.equal(await cells.count(), 2);
      assert.equal(await cells.locator('.badge').count(), 0, 'no days-left badge in the list');
      await shot(p, v, 'retired-no-badge');
      await go(p, `/certificates/${rep.id}`);
      await p.getByRole('heading', { name: /replaced-badge/ }).waitFor();
      const badges = await p.locator('.title-with-badges .badge').allInnerTexts();
      assert.deepEqual(badges, ['Replaced'], 'only the status badge in the heading');
    });
  });

  test('defects: provider and CA type names are spelled "Let\'s Encrypt" and "ACME"', async () => {
    const acme = await apiOk('POST', `${PLUGIN}/certificates/`, certBody('provider-name.example.test', { is_acme: true, acme_provider: 'letsencrypt' }));
    await apiOk('POST', `${PLUGIN}/certificate-authorities/`, { name: 'Defect ACME CA', type: 'acme', issuer_pattern: 'defect acme' });
    await eachView(async (p, v) => {
      await go(p, `/certificates/${acme.id}`);
      const acmeCard = p.locator('.card', { hasText: 'Managed by ACME' });
      const text = await acmeCard.innerText();
      assert.ok(text.includes("Let's Encrypt") && !text.includes('Letsencrypt'), text);
      await go(p, '/certificate-authorities?q=Defect');
      assert.equal((await p.locator('tbody td[data-label="Type"]').first().innerText()).trim(), 'ACME');
      await shot(p, v, 'ca-type');
    });
  });

  test('defects: the new-user form does not say "keep the current password"', async () => {
    const admin = (await apiOk('GET', '/api/users/users/?username=admin')).results[0];
    await eachView(async (p, v) => {
      await go(p, '/admin/users/new');
      const help = await p.locator('#f-users-password-help').innerText();
      assert.ok(!/keep the current password/i.test(help), `create form hint: ${help}`);
      await go(p, `/admin/users/${admin.id}/edit`);
      assert.match(await p.locator('#f-users-password-help').innerText(), /keep the current password/i, 'the edit form keeps its hint');
      await shot(p, v, 'user-new');
    });
  });

  test('defects: a new token\'s key has a Copy button', async () => {
    const admin = (await apiOk('GET', '/api/users/users/?username=admin')).results[0];
    await eachView(async (p, v) => {

      await go(p, `/admin/tokens/new?user=${admin.id}`);
      await p.getByLabel('Description').fill(`copy ${v.name}`);
      await p.getByRole('button', { name: 'Create token' }).click();
      const note = p.locator('.alert', { hasText: 'Copy this token now' });
      await note.waitFor();
      const key = (await note.locator('.token-key').innerText()).trim();
      await note.getByRole('button', { name: 'Copy' }).click();
      assert.equal(await p.evaluate(() => navigator.clipboard.readText()), key, 'the key is on the clipboard');
      await shot(p, v, 'token-copy');
    });
  });

  test('defects: the changelog shows plain values and names the PEM instead of printing it', async () => {
    await eachView(async (p, v) => {
      const leaf = makeLeaf(`changelog-${v.name}`, `changelog-${v.name}.example.test`, 60);
      const { id } = await apiOk('POST', `${PLUGIN}/certificates/import/`, { pem_content: leaf.pem });
      await go(p, `/certificates/${id}?tab=changelog`);
      const created = p.locator('.tl-item', { has: p.locator('.badge', { hasText: /create/i }) }).first();
      await created.locator('summary').click();
      const values = await created.locator('td.diff-new').allInnerTexts();
      assert.ok(values.length > 5, 'snapshot rows');
      assert.ok(!values.some((t) => t.startsWith('"')), `JSON-quoted values: ${values.filter((t) => t.startsWith('"')).join(' | ')}`);
      assert.ok(!values.some((t) => t.includes('MII')), 'no PEM body in the snapshot');
      assert.ok(values.some((t) => /^PEM certificate \(\d+ characters\)$/.test(t)), 'the PEM is named, with its size');
      assert.ok(values.includes('active'), 'the status reads active');
      assert.ok(await pageOverflow(p) <= 0, 'changelog wider than the screen');
      await shot(p, v, 'changelog');
    });
  });

  test('defects: an unreachable server leaves an error, not stale rows under the pager', async () => {
    await eachView(async (p, v) => {
      await go(p, '/certificates');
      await p.locator('tbody tr').first().waitFor();
      const route = (u) => u.pathname === `${PLUGIN}/certificates/`;
      const errorsBefore = consoleErrors.length;
      await p.route(route, (r) => r.abort('connectionrefused'));
      try {
        await p.getByRole('button', { name: 'Reload' }).click();
        await p.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
        assert.equal(await p.locator('tbody tr').count(), 0, 'no stale rows');
        assert.equal(await p.locator('main .pagination').count(), 0, 'no pager for rows that are not there');
        await shot(p, v, 'list-unreachable');
      } finally {
        await p.unroute(route);
        // The refused requests this test provokes are logged by the browser; they are not
        // errors of the UI.
        const mine = consoleErrors.splice(errorsBefore).filter((e) => !e.includes('ERR_CONNECTION_REFUSED'));
        consoleErrors.push(...mine);
      }
      await p.getByRole('button', { name: 'Retry' }).click();
      await p.locator('tbody tr').first().waitFor();
    });
  });

  test('defects: close the views', async () => {
    for (const p of pages.values()) await p.context().close();
    pages.clear();
  });
}
