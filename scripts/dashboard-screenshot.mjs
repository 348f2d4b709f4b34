// Takes docs/dashboard.png: `dotbus serve` (the demo on the in-memory bus) in headless Chromium,
// once the charts have a few windows. Run after `npm run build`: node scripts/dashboard-screenshot.mjs
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../', import.meta.url));
const serve = spawn(process.execPath, ['bin/dotbus.js', 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
const url = await new Promise((resolve, reject) => {
  serve.stderr.on('data', (c) => {
    stderr += c;
    const m = / at (http:\/\/\S+?\/)[ ;]/.exec(stderr);
    if (m) resolve(m[1]);
  });
  serve.on('exit', (code) => reject(new Error(`dotbus serve exited ${code}: ${stderr}`)));
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim(),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await sleep(Number(process.env.WAIT_MS ?? 40_000));
  await page.locator('#tail li details').nth(2).evaluate((d) => (d.open = true));
  await page.screenshot({ path: `${root}docs/dashboard.png`, fullPage: true });
} finally {
  await browser.close();
  serve.kill('SIGTERM');
}
