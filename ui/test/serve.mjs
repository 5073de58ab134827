// serve.mjs — test helper: serves ui/public on 127.0.0.1 (a random port) with the test bundle
// (build/browser/js/app.js, built with the mock backend by `npm run build`) in place of the app's bundle (unless
// `appBundle`), and opens Debian's Chromium with playwright-core, so browser tests run the wizard against the mock
// backend.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PUBLIC = path.join(UI, 'public');
/** Served before public/: the test bundle's js/app.js. */
const TEST_BUNDLE = path.join(UI, 'build', 'browser');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };

export async function serve({ appBundle = false } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname);
    const inside = (dir) => { const f = path.join(dir, rel); return f.startsWith(dir + path.sep) && fs.existsSync(f) && fs.statSync(f).isFile() ? f : null; };
    const file = (appBundle ? null : inside(TEST_BUNDLE)) ?? inside(PUBLIC);
    if (!file) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
