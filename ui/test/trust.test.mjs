// trust.test.mjs — Trusted release signers… (the toolbar's dialog): its pure part headless (trust.ts, from
// build/node), and the dialog in headless Debian Chromium against the MOCK backend's trust store (mock-trust.ts):
// the keys listed with their full fingerprints, Import… showing a key file's keys before anything is stored, Cancel
// storing nothing, the confirmation storing exactly the keys shown, Remove asking first, a file without a key refused
// naming it, and the Korean dialog. Screenshots go to target/screenshots/browser-trust-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, browser } from './serve.mjs';
import * as trust from '../build/node/trust.js';
import * as i18n from '../build/node/i18n.js';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

const ALICE = { fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567', user_ids: ['Alice Manager <alice@apache.example>'], created: 1735689600 };
const BOB = { fingerprint: 'FEDCBA9876543210FEDCBA9876543210FEDCBA98', user_ids: ['Bob Signer <bob@apache.example>'], created: 1704067200 };
const OLD = { fingerprint: 'AAAABBBBCCCCDDDDEEEEFFFF0000111122223333', user_ids: ['Old Key <old@example.org>'], created: 1600000000 };

/** A fresh server and browser for one test (closed after it) and the wizard open in a page. */
async function wizard(t, mockOptions = {}) {
  const server = await serve();
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript((o) => { window.__MOCK_OPTIONS__ = o; }, mockOptions);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="1"]');
  return { page, errors };
}

const mockOptions = (page) => page.evaluate(() => window.__MOCK_OPTIONS__);

async function openDialog(page) {
  await page.locator('#trust-open').click();
  await page.locator('#trust-list').waitFor();
}

test('a fingerprint is grouped as gpg prints it, and an import trusts every key of the preview', () => {
  assert.equal(trust.groupedFingerprint('D3DF932A03037580D5453F498060FC0DA962AFE5'), 'D3DF 932A 0303 7580 D545  3F49 8060 FC0D A962 AFE5');
  assert.equal(trust.keyCreated(ALICE), '2025-01-01');
  assert.deepEqual(trust.fingerprintsToImport({ file: '/k', skipped: [], keys: [ALICE, BOB].map((key) => ({ key, standing: 'new', built_in_owner: null })) }), [ALICE.fingerprint, BOB.fingerprint]);
  const pick = trust.keyFilePick();
  assert.equal(pick.mode, 'open');
  assert.equal(pick.filter, undefined, 'no filter: Apache\'s KEYS file has no extension');
  assert.deepEqual(i18n.missingKorean(), []);
});

test('the toolbar\'s Trusted release signers… lists the imported keys with their full fingerprints and the built-in ones', async (t) => {
  const { page, errors } = await wizard(t, { trusted: [OLD] });
  await openDialog(page);
  const row = page.locator(`#trust-imported tr[data-key="${OLD.fingerprint}"]`);
  assert.equal(await row.locator('code.fingerprint').textContent(), 'AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333');
  assert.match(await row.textContent(), /Old Key <old@example\.org>.*2020-09-13/);
  assert.match(await page.locator('#trust-list').textContent(), /\/home\/op\/\.config\/kafka-wizard\/trusted-keys/, 'the store the CLI shares is named');
  await page.locator('#trust-built-in summary').click();
  assert.match(await page.locator('#trust-built-in').textContent(), /D3DF 932A 0303 7580 D545  3F49 8060 FC0D A962 AFE5.*Mickael Maison/);
  assert.equal(await page.locator('#trust-built-in .trust-remove').count(), 0, 'a built-in key has no Remove');
  await page.screenshot({ path: path.join(SHOTS, 'browser-trust-list.png') });
  await page.keyboard.press('Escape');
  await page.locator('#trust-dialog').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('an import shows the file\'s keys with their fingerprints first, and Cancel stores nothing', async (t) => {
  const { page, errors } = await wizard(t, { keyFiles: { '/home/op/KEYS': [ALICE, BOB] }, picks: [null, '/home/op/KEYS'] });
  await openDialog(page);
  assert.ok(await page.locator('#trust-none').isVisible(), 'no key imported yet says so');

  await page.locator('#trust-import').click();
  await page.waitForFunction(() => !document.body.dataset.picking);
  assert.ok(await page.locator('#trust-list').isVisible(), 'a cancelled file dialog changes nothing');

  await page.locator('#trust-import').click();
  await page.locator('#trust-preview').waitFor();
  assert.match(await page.locator('#trust-preview').textContent(), /2 key\(s\) in \/home\/op\/KEYS/);
  assert.equal(await page.locator(`#trust-candidates tr[data-key="${ALICE.fingerprint}"] code.fingerprint`).textContent(), '0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567');
  assert.match(await page.locator(`#trust-candidates tr[data-key="${BOB.fingerprint}"]`).textContent(), /Bob Signer.*new/);
  assert.equal(await page.locator('#trust-question').textContent(), 'Trust these keys to sign Kafka releases?');
  assert.deepEqual((await mockOptions(page)).pickLog.map((p) => p.mode), ['open', 'open']);
  await page.screenshot({ path: path.join(SHOTS, 'browser-trust-import.png') });

  assert.equal(await page.evaluate(() => document.activeElement?.id), 'trust-confirm-no', 'the question starts on Cancel');
  await page.keyboard.press('Enter');
  await page.locator('#trust-none').waitFor();
  assert.match(await page.locator('#toast').textContent(), /Nothing was imported/);
  assert.equal((await mockOptions(page)).trustLog, undefined, 'nothing was asked of the store');
  assert.deepEqual(errors, []);
});

test('confirming an import trusts exactly the keys shown, and they are listed', async (t) => {
  const { page, errors } = await wizard(t, { keyFiles: { '/home/op/KEYS': [ALICE, BOB] }, picks: ['/home/op/KEYS'] });
  await openDialog(page);
  await page.locator('#trust-import').click();
  await page.locator('#trust-preview').waitFor();
  await page.locator('#trust-confirm-yes').click();
  await page.locator('#trust-imported').waitFor();
  assert.deepEqual((await mockOptions(page)).trustLog, [{ import: [ALICE.fingerprint, BOB.fingerprint] }]);
  assert.equal(await page.locator('#trust-imported tr[data-key]').count(), 2);
  assert.match(await page.locator('#toast').textContent(), /Trusted 2 key\(s\)/);
  assert.deepEqual(errors, []);
});

test('Remove asks first: No keeps the key, Yes stops trusting it', async (t) => {
  const { page, errors } = await wizard(t, { trusted: [OLD, ALICE] });
  await openDialog(page);
  const row = page.locator(`#trust-imported tr[data-key="${OLD.fingerprint}"]`);
  await row.locator('.trust-remove').click();
  await page.locator('#dialog-no').waitFor();
  assert.match(await page.locator('.overlay:not(#trust-dialog) p').textContent(), /Stop trusting key AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333 \(Old Key <old@example\.org>\)\?/);
  await page.locator('#dialog-no').click();
  assert.equal(await row.count(), 1);
  assert.equal((await mockOptions(page)).trustLog, undefined, 'No removes nothing');

  await row.locator('.trust-remove').click();
  await page.locator('#dialog-yes').click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual((await mockOptions(page)).trustLog, [{ remove: OLD.fingerprint }]);
  assert.equal(await page.locator('#trust-imported tr[data-key]').count(), 1, 'the other key stays');
  assert.ok(await page.locator('#trust-dialog').isVisible(), 'the dialog stays open after the question');
  assert.deepEqual(errors, []);
});

test('a file without a public key is refused naming the file, and nothing is asked', async (t) => {
  const { page, errors } = await wizard(t, { keyFiles: { '/home/op/notes.txt': [] }, picks: ['/home/op/notes.txt'] });
  await openDialog(page);
  await page.locator('#trust-import').click();
  await page.locator('#trust-error:not([hidden])').waitFor();
  assert.equal(await page.locator('#trust-error').getAttribute('data-code'), 'key_file');
  assert.match(await page.locator('#trust-error').textContent(), /\/home\/op\/notes\.txt: no OpenPGP public key/);
  assert.equal(await page.locator('#trust-question').count(), 0);
  assert.deepEqual(errors, []);
});

test('in Korean the dialog and its question are in Korean', async (t) => {
  const { page, errors } = await wizard(t, { keyFiles: { '/home/op/KEYS': [ALICE] }, picks: ['/home/op/KEYS'] });
  await page.locator('#lang').selectOption('ko');
  assert.equal(await page.locator('#trust-open').textContent(), '신뢰하는 릴리스 서명자…');
  await openDialog(page);
  await page.locator('#trust-import').click();
  await page.locator('#trust-preview').waitFor();
  assert.equal(await page.locator('#trust-question').textContent(), '이 키들을 Kafka 릴리스 서명용으로 신뢰할까요?');
  await page.screenshot({ path: path.join(SHOTS, 'browser-trust-import-ko.png') });
  assert.deepEqual(errors, []);
});

test('the Version step names the pinned key that checks a release, and for a release without one offers the trusted signers', async (t) => {
  const { page, errors } = await wizard(t);
  assert.equal(await page.locator('#step').getAttribute('data-step'), 'version');
  await page.locator('#kafka-version').selectOption('3.9.1');
  const note = page.locator('#release-signer');
  assert.equal(await note.getAttribute('data-pinned'), 'true');
  assert.match(await note.textContent(), /checked against the key of Luke Chen, pinned in this build/);
  assert.equal(await page.locator('#release-trust').count(), 0, 'nothing to trust for a pinned signer');
  await page.locator('#kafka-version').selectOption('4.1.1');
  assert.equal(await note.getAttribute('data-pinned'), 'false');
  assert.match(await note.textContent(), /pins no key for the signer of 4\.1\.1.*Install refuses the release until you trust that key/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-trust-version-unpinned.png') });
  await page.locator('#release-trust').click();
  await page.locator('#trust-list').waitFor();
  assert.deepEqual(errors, []);
});
