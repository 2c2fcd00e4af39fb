// Times how long each main page of the web UI takes from navigation to its content being on
// screen (a full load of the real path: HTML, JS, API calls, render) against a server holding
// a large inventory. Prints one line per page (median of 5 loads); never fails on time.
// Run by bench/ui.sh, which starts the server and sets CK_URL/CK_TOKEN/CK_USERNAME/CK_PASSWORD.
import { ARGS, URL_, chromium, signIn } from '../tests/e2e/lib.mjs';

const pages = [
  ['dashboard', '/', (p) => p.getByRole('heading', { name: 'Dashboard' }).waitFor()],
  ['certificates', '/certificates', (p) => p.locator('tbody tr').first().waitFor()],
  ['certificates ?status=active', '/certificates?status=active', (p) => p.locator('tbody tr').first().waitFor()],
  ['certificates ?q=bench', '/certificates?q=bench', (p) => p.locator('tbody tr, .empty').first().waitFor()],
  ['certificate detail', '/certificates/1', (p) => p.getByRole('tab', { name: /Assignments/ }).waitFor()],
  ['analytics', '/analytics', (p) => p.locator('.kpi-value').first().waitFor()],
  ['assignments', '/assignments', (p) => p.locator('tbody tr, .empty').first().waitFor()],
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
await signIn(page);
console.log(`ui: ${URL_} — ms from navigation to content (median of 5 full loads)`);
for (const [name, path, ready] of pages) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await page.goto(URL_ + path);
    await ready(page);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`ui: ${name.padEnd(30)} ${times[2].toFixed(0).padStart(5)} ms   (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)})`);
}
await browser.close();
