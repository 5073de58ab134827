// preflight.test.mjs — Review's Check hosts and Apply fixes…: the pure part headless (preflight.ts, from
// build/node), and the wizard in headless Debian Chromium against the MOCK backend's preflight (mock-preflight.ts):
// the table drawn from the rows with refusals first, a refusal holding Install (naming it), Apply fixes… confirming
// with each host and file first (Cancel focused; Cancel writes nothing), and the outcomes per host — applied now,
// kept for boot, failed — then the check run again. Screenshots go to target/screenshots/browser-preflight-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, browser } from './serve.mjs';
import * as preflight from '../build/node/preflight.js';
import * as i18n from '../build/node/i18n.js';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
const SYSCTL = '/etc/sysctl.d/60-kafka.conf';
const THP = '/etc/tmpfiles.d/60-kafka-thp.conf';

/** A fresh server and browser for one test (closed after it), the guide's three brokers loaded, on Review. */
async function onReview(t, mockOptions = {}) {
  const server = await serve();
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  const page = await b.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript((o) => { window.__MOCK_OPTIONS__ = o; }, mockOptions);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="1"]');
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#example-seed').click();
  await page.locator('tr[data-host="2"]').waitFor();
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#preflight-run').waitFor();
  return { page, errors };
}

const mockOptions = (page) => page.evaluate(() => window.__MOCK_OPTIONS__);

async function checkHosts(page) {
  await page.locator('#preflight-run').click();
  await page.locator('#preflight-table').waitFor();
}

const row = (verdict, host, check) => ({ host, check, verdict, result: `${check} on ${host}`, fix: verdict === 'pass' ? '' : 'do it', fix_file: null });

test('the table puts refusals first, then warnings, then what passed, each in host order; a preview becomes a plan per host', () => {
  const rows = [row('pass', 'h1', 'Java'), row('warn', 'h1', 'vm.swappiness'), row('refuse', 'h2', 'port 9092'), row('pass', 'h2', 'Java'), row('refuse', 'h3', 'free space /data')];
  assert.deepEqual(preflight.orderedRows(rows).map((r) => `${r.verdict} ${r.host}`), ['refuse h2', 'refuse h3', 'warn h1', 'pass h1', 'pass h2']);
  const report = { rows: [...rows, { ...row('warn', 'h3', 'transparent huge pages'), fix_file: THP }], refused: 2, warned: 2 };
  assert.deepEqual(preflight.refusals(report).map((r) => r.host), ['h2', 'h3']);
  assert.deepEqual(preflight.fixable(report).map((r) => r.check), ['transparent huge pages'], 'only a warning with a file is the wizard\'s to fix');

  const fix = (setting, file, written) => ({ setting, file, written, state: 'planned', why: null });
  const plan = preflight.fixPlan({ dry_run: true, hosts: [
    { host: 'h1', fixes: [fix('vm.swappiness = 1', SYSCTL, true), fix('vm.max_map_count = 262144', SYSCTL, true), fix('transparent huge pages = madvise', THP, false)], error: null },
    { host: 'h2', fixes: [], error: null },
    { host: 'h3', fixes: [], error: 'exit 1: Permission denied' },
  ] });
  assert.deepEqual(plan, [
    { host: 'h1', write: [SYSCTL], settings: ['vm.swappiness = 1', 'vm.max_map_count = 262144', 'transparent huge pages = madvise'], error: null },
    { host: 'h3', write: [], settings: [], error: 'exit 1: Permission denied' },
  ], 'each file once, a file already in place not written, a host with nothing to do left out');
  assert.ok(preflight.planHasFixes(plan));
  assert.ok(!preflight.planHasFixes(plan.slice(1)), 'a host that cannot be fixed is no fix to make');

  assert.equal(preflight.outcomeText({ ...fix('vm.swappiness = 1', SYSCTL, true), state: 'at_boot', why: 'Read-only file system' }),
    `kept in ${SYSCTL}: takes effect at the next boot — applying it now failed: Read-only file system`);
  assert.equal(preflight.outcomeText({ ...fix('vm.swappiness = 1', SYSCTL, false), state: 'applied_now' }), `already in ${SYSCTL}; applied now`);
  assert.deepEqual(i18n.missingKorean(), []);
});

test('Check hosts shows the engine\'s rows as a table, refusals first and marked, and a refusal holds Install naming it', async (t) => {
  const { page, errors } = await onReview(t, { preflightRefuse: 'peter-kafka002' });
  assert.match(await page.locator('#preflight-intro').textContent(), /changes nothing/);
  assert.equal((await mockOptions(page)).preflightChecks, undefined, 'no host is read before the user asks');
  await checkHosts(page);

  const rows = page.locator('#preflight-table tbody tr');
  assert.equal(await rows.count(), 10, 'three hosts: port, Java, swappiness; huge pages on the first');
  const first = rows.first();
  assert.equal(await first.getAttribute('data-verdict'), 'refuse');
  assert.equal(await first.getAttribute('data-host'), 'peter-kafka002');
  assert.match(await first.textContent(), /port 9092 \(kafka\.listener_port\).*REFUSED.*held by python3 \(pid 4242\).*set kafka\.listener_port to a free port/);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.verdict)), ['refuse', 'warn', 'warn', 'warn', 'warn', 'pass', 'pass', 'pass', 'pass', 'pass']);
  assert.notEqual(await first.evaluate((e) => getComputedStyle(e).backgroundColor), await rows.last().evaluate((e) => getComputedStyle(e).backgroundColor), 'a refusal is marked');
  const thp = page.locator('#preflight-table tr[data-check="transparent huge pages"]');
  assert.match(await thp.locator('.fixable').textContent(), /\/etc\/tmpfiles\.d\/60-kafka-thp\.conf/, 'a fix the wizard can make names its file');
  assert.match(await page.locator('#preflight-summary').textContent(), /1 check\(s\) refuse the install \(4 warning\(s\)\)/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-preflight-table.png'), fullPage: true });

  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install-blocked').waitFor();
  assert.ok(await page.locator('#install').isDisabled(), 'Install waits while a check refuses');
  assert.match(await page.locator('#install-blocked').textContent(), /peter-kafka002: port 9092 \(kafka\.listener_port\): held by python3 \(pid 4242\).*stop that process/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-preflight-install-held.png') });
  await page.locator('#install-blocked-review').click();
  await page.locator('#preflight-table').waitFor();
  assert.equal(await page.locator('#step').getAttribute('data-step'), 'review', 'the link goes back to the check, which is kept');

  // the project changes: the check no longer speaks for it (the deploy checks again itself), so it holds nothing
  await page.locator('nav [data-step="storage"]').click();
  await page.locator('input[data-field="kafka.heap"]').fill('2g');
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#preflight-stale').waitFor();
  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').waitFor();
  assert.equal(await page.locator('#install-blocked').count(), 0);
  assert.ok(await page.locator('#install').isEnabled());
  assert.deepEqual(errors, []);
});

test('a check that passes with warnings only lets Install go', async (t) => {
  const { page, errors } = await onReview(t, {});
  await checkHosts(page);
  assert.match(await page.locator('#preflight-summary').textContent(), /Every host passed \(4 warning\(s\)\)/);
  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').waitFor();
  assert.equal(await page.locator('#install-blocked').count(), 0);
  assert.ok(await page.locator('#install').isEnabled());
  assert.deepEqual(errors, []);
});

test('Apply fixes… names each host and each file it will write first, with Cancel focused, and Cancel writes nothing', async (t) => {
  const { page, errors } = await onReview(t, {});
  await checkHosts(page);
  await page.locator('#preflight-fix').click();
  await page.locator('#preflight-confirm').waitFor();
  const files = (host) => page.locator(`#preflight-confirm-hosts > li[data-host="${host}"] li[data-file]`).evaluateAll((lis) => lis.map((li) => li.dataset.file));
  assert.deepEqual(await files('peter-kafka001'), [SYSCTL, THP]);
  assert.deepEqual(await files('peter-kafka002'), [SYSCTL]);
  assert.deepEqual(await files('peter-kafka003'), [SYSCTL]);
  assert.match(await page.locator('#preflight-confirm-hosts > li[data-host="peter-kafka001"]').textContent(), /applies now: vm\.swappiness = 1, transparent huge pages = madvise/);
  assert.equal(await page.locator('#preflight-question').textContent(), 'Write these files and apply the settings on these hosts?');
  assert.deepEqual((await mockOptions(page)).preflightFixLog, [{ dryRun: true }], 'what the dialog lists is the engine\'s preview');
  await page.screenshot({ path: path.join(SHOTS, 'browser-preflight-confirm.png') });

  assert.equal(await page.evaluate(() => document.activeElement?.id), 'preflight-confirm-no', 'the question starts on Cancel');
  await page.keyboard.press('Enter');
  await page.locator('#preflight-confirm').waitFor({ state: 'detached' });
  assert.match(await page.locator('#toast').textContent(), /No fix was applied: nothing was written on any host/);
  assert.deepEqual((await mockOptions(page)).preflightFixLog, [{ dryRun: true }], 'Cancel asks no host to change');
  assert.equal(await page.locator('#preflight-outcomes').count(), 0);
  assert.equal(await page.locator('#preflight-table tr[data-verdict="warn"]').count(), 4, 'the warnings stand');

  // Escape is Cancel too
  await page.locator('#preflight-fix').click();
  await page.locator('#preflight-confirm').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#preflight-confirm').waitFor({ state: 'detached' });
  assert.deepEqual((await mockOptions(page)).preflightFixLog, [{ dryRun: true }, { dryRun: true }]);
  assert.deepEqual(errors, []);
});

test('applied fixes show each host\'s outcome — applied now, kept for boot, failed — and the check runs again', async (t) => {
  const { page, errors } = await onReview(t, { preflightAtBoot: 'peter-kafka003', preflightFixFails: 'peter-kafka002' });
  await checkHosts(page);
  await page.locator('#preflight-fix').click();
  await page.locator('#preflight-confirm').waitFor();
  assert.match(await page.locator('#preflight-confirm-hosts > li[data-host="peter-kafka002"]').textContent(), /cannot be fixed: reading .* failed/, 'a host the preview could not read is named');
  await page.locator('#preflight-confirm-yes').click();
  await page.locator('#preflight-outcomes').waitFor();
  await page.waitForFunction(() => window.__MOCK_OPTIONS__.preflightChecks === 2 && document.querySelector('#preflight-table'));
  assert.deepEqual((await mockOptions(page)).preflightFixLog, [{ dryRun: true }, { dryRun: false }]);

  const outcomes = page.locator('#preflight-outcomes tr');
  assert.deepEqual(await outcomes.evaluateAll((trs) => trs.map((tr) => `${tr.dataset.host} ${tr.dataset.state}`)),
    ['peter-kafka001 applied_now', 'peter-kafka001 applied_now', 'peter-kafka002 failed', 'peter-kafka003 at_boot']);
  assert.match(await outcomes.nth(0).textContent(), /vm\.swappiness = 1.*kept in \/etc\/sysctl\.d\/60-kafka\.conf and applied now/);
  assert.match(await outcomes.nth(2).textContent(), /could not be fixed: reading \/etc\/sysctl\.d\/60-kafka\.conf failed/);
  assert.match(await outcomes.nth(3).textContent(), /takes effect at the next boot — applying it now failed: cannot create \/proc\/sys\/vm\/swappiness: Read-only file system/);

  // the check read again: what the kernel took passes, what waits for a boot or failed still warns
  const verdict = (host, check) => page.locator(`#preflight-table tr[data-host="${host}"][data-check="${check}"]`).getAttribute('data-verdict');
  assert.equal(await verdict('peter-kafka001', 'vm.swappiness'), 'pass');
  assert.equal(await verdict('peter-kafka001', 'transparent huge pages'), 'pass');
  assert.equal(await verdict('peter-kafka002', 'vm.swappiness'), 'warn');
  assert.equal(await verdict('peter-kafka003', 'vm.swappiness'), 'warn');
  await page.screenshot({ path: path.join(SHOTS, 'browser-preflight-outcomes.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
