// browser.test.mjs — the wizard in headless Debian Chromium against the MOCK backend (no Tauri): navigation
// with the keyboard, inline problems appearing and clearing as the user types, paste + auto-number, Review,
// Open / Save As / Export through scripted file dialogs (the chosen path is used; Cancel changes nothing),
// Install progress from streamed events with a failed host and Retry, Manage with confirmation, Restart anyway
// after a refused roll, Cancel in Manage, Review's diff of what a deploy would change (after Test connection), the
// Security step (users, ACLs, the CA, Client config… on Review and Manage), Manage's migration to KRaft (Migrate,
// Finalize, the project reloaded in KRaft mode), the Hosts step's jump host and ~/.ssh/config (per host too), Storage's metrics exporter, Manage's Rotate CA… (its plan, then the run, Cancel), Recover secrets… (offered beside an Install refused for a lost secrets store, and in Manage), Rebalance… (offered after an install added a broker; its plan, then the run) and Decommission broker… (held until saved, the plan, the file reloaded, a refusal verbatim), the Korean switch, and defaults and field steps read from the engine's field schema. Screenshots go to
// target/screenshots/browser-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, browser } from './serve.mjs';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
const FIELD_SCHEMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', 'field-schema.json');
fs.mkdirSync(SHOTS, { recursive: true });

async function open(b, url, mockOptions = {}) {
  const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript((o) => { window.__MOCK_OPTIONS__ = o; }, mockOptions);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  return { page, errors };
}

/** A fresh server and browser for one test (closed after it) and the wizard open in a page. */
async function wizard(t, mockOptions = {}) {
  const server = await serve();
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  return open(b, server.url, mockOptions);
}

const msgOf = (page, field) => page.locator(`[data-problem-field="${field}"]`);

test('the wizard in a browser: from an empty project to an installed and restarted cluster', async (t) => {
  const { page, errors } = await wizard(t, { failHost: 'kafka002', delayMs: 2, picks: ['/tmp/kafka-export'] });

  assert.equal(await page.locator('#step h2').textContent(), '1. Version');
  await page.locator('input[data-field="name"]').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#step').getAttribute('data-step'), 'hosts', 'Enter goes to the next step');
  assert.ok(await page.locator('#hosts-empty').isVisible(), 'an empty host list says what to do');
  await page.screenshot({ path: path.join(SHOTS, 'browser-hosts-empty.png') });

  await page.locator('details.paste summary').click();
  await page.locator('#paste-hosts').fill('kafka001\nkafka002\nkafka003');
  await page.locator('#paste-add').click();
  assert.equal(await page.locator('tr[data-host]').count(), 3);
  assert.equal(await page.locator('input[data-field="hosts[2].id"]').inputValue(), '3', 'pasted hosts are auto-numbered');

  await page.locator('input[data-field="hosts[1].id"]').fill('1');
  await msgOf(page, 'hosts[1].id').waitFor();
  assert.match(await msgOf(page, 'hosts[1].id').textContent(), /already used/);
  assert.equal(await page.locator('input[data-field="hosts[1].id"]').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('nav [data-step="hosts"] .badge').textContent(), '1');
  await page.screenshot({ path: path.join(SHOTS, 'browser-hosts-error.png') });
  await page.locator('input[data-field="hosts[1].id"]').fill('2');
  await msgOf(page, 'hosts[1].id').waitFor({ state: 'detached' });
  assert.equal(await page.locator('nav [data-step="hosts"] .badge').textContent(), '');

  // a warning on the roles cell is shown there (the mock warns about an even ensemble)
  await page.locator('tr[data-host="0"] td.roles input[type=checkbox]').nth(1).check();
  await page.locator('tr[data-host="1"] td.roles input[type=checkbox]').nth(1).check();
  await msgOf(page, 'hosts[0].roles').waitFor();
  assert.match(await msgOf(page, 'hosts[0].roles').textContent(), /tolerates no more failures/);
  await page.locator('#test-0').click();
  await page.locator('#accept-key-0').waitFor();
  assert.match(await page.locator('.fingerprint').textContent(), /SHA256:mockmockmock/);
  await page.locator('#accept-key-0').click();
  await page.locator('tr[data-conn="0"] >> text=debian 12').waitFor();

  await page.keyboard.press('Alt+ArrowLeft');
  assert.equal(await page.locator('#step').getAttribute('data-step'), 'version', 'Alt+Left goes back');
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#file-content').waitFor();
  assert.match(await page.locator('#file-content').textContent(), /broker\.id=1/);
  await page.locator('#export').click();
  assert.match(await page.locator('#export-result').textContent(), /\/tmp\/kafka-export/, 'exported where the folder dialog said');

  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').click();
  await page.locator('#run-result').waitFor();
  assert.match(await page.locator('#run-result').textContent(), /mock failure|failed/);
  assert.equal(await page.locator('tr[data-host-row="kafka002"]').getAttribute('data-state'), 'failed');
  assert.equal(await page.locator('tr[data-host-row="kafka001"]').getAttribute('data-state'), 'done');
  assert.match(await page.locator('#retry').textContent(), /kafka002/);
  assert.match(await page.locator('#log').textContent(), /\[kafka002\] write configs FAILED|FAILED/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-install-failed.png') });

  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#refresh').click();
  await page.locator('#status-table').waitFor();
  assert.equal(await page.locator('tr[data-status-host]').count(), 3);
  await page.locator('#op-restart').click();
  await page.locator('#dialog-no').click();
  assert.equal(await page.locator('#op-result').count(), 0, 'declining the confirmation does nothing');

  await page.selectOption('#lang', 'ko');
  assert.equal(await page.locator('nav [data-step="hosts"]').textContent().then((s) => s.includes('호스트와 ID')), true);
  assert.deepEqual(errors, []);
});

test('in Korean, problems are shown in Korean next to their field and on the Review step', async (t) => {
  const { page, errors } = await wizard(t);
  await page.selectOption('#lang', 'ko');
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('details.paste summary').click();
  await page.locator('#paste-hosts').fill('kafka001\nkafka002');
  await page.locator('#paste-add').click();
  await page.locator('input[data-field="hosts[1].id"]').fill('1');
  await msgOf(page, 'hosts[1].id').waitFor();
  assert.match(await msgOf(page, 'hosts[1].id').textContent(), /이미 hosts\[0\]에서 쓰고 있습니다/);
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#review-problems').waitFor();
  assert.match(await page.locator('#review-problems').textContent(), /호스트와 ID › hosts\[1\]\.id: 1은\(는\) 이미/);
  await page.selectOption('#lang', 'en');
  await page.locator('#review-problems >> text=already used').waitFor();
  assert.deepEqual(errors, []);
});

const picksOf = (page) => page.evaluate(() => window.__MOCK_OPTIONS__.pickLog ?? []);
const answerNextPick = (page, path) => page.evaluate((p) => window.__MOCK_OPTIONS__.picks.push(p), path);
const waitTitle = (page, title) => page.waitForFunction((t) => document.title === t, title);

test('an unsaved change shows in the title and saving to the path chosen in the Save As dialog clears it', async (t) => {
  const { page } = await wizard(t, { picks: ['/tmp/renamed.toml'] });
  await page.locator('input[data-field="name"]').fill('renamed');
  await page.waitForFunction(() => document.title.startsWith('●'));
  await page.locator('#file-save').click();
  await waitTitle(page, 'renamed.toml — Kafka Cluster Wizard');
  assert.equal(await page.locator('#project-path').textContent(), '/tmp/renamed.toml');
  const [asked] = await picksOf(page);
  assert.equal(asked.mode, 'save');
  assert.equal(asked.file_name, 'renamed.toml', 'Save As suggests the project name');
  assert.deepEqual(asked.filter.extensions, ['toml']);

  // Ctrl+Shift+S: Save As again, to a new path; Ctrl+S then saves there without asking
  await answerNextPick(page, '/tmp/copy.toml');
  await page.keyboard.press('Control+Shift+S');
  await waitTitle(page, 'copy.toml — Kafka Cluster Wizard');
  assert.equal((await picksOf(page))[1].directory, '/tmp', 'Save As starts in the current file\'s folder');
  await page.locator('input[data-field="name"]').fill('renamed-again');
  await waitTitle(page, '● copy.toml — Kafka Cluster Wizard');
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+s');
  await waitTitle(page, 'copy.toml — Kafka Cluster Wizard');
  assert.equal((await picksOf(page)).length, 2, 'Save to the known file shows no dialog');
});

test('Save As over a file that is not a project asks first: No keeps the file, Yes replaces it', async (t) => {
  const { page } = await wizard(t, { picks: ['/srv/notes.toml'], files: { '/srv/notes.toml': 'my notes, not a project' } });
  await page.locator('input[data-field="name"]').fill('renamed');
  await page.locator('#file-save').click();
  await page.locator('.overlay .dialog:has-text("is not a Kafka Cluster Wizard project")').waitFor();
  await page.locator('#dialog-no').click();
  await page.locator('.toast.error:has-text("not a kafka-wizard project")').waitFor();
  assert.equal(await page.evaluate(() => window.__app.state.path), null, 'not saved');
  await answerNextPick(page, '/srv/notes.toml');
  await page.locator('#file-save').click();
  await page.locator('#dialog-yes').click();
  await waitTitle(page, 'notes.toml — Kafka Cluster Wizard');
});

test('a file is opened and an export written where the dialogs say', async (t) => {
  const other = { format: 1, name: 'other', kafka: { version: '4.1.1' }, hosts: [{ name: 'k1', roles: ['broker'], id: 1 }] };
  const { page, errors } = await wizard(t, { picks: ['/srv/other.toml'], files: { '/srv/other.toml': JSON.stringify(other) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'other.toml — Kafka Cluster Wizard');
  assert.equal(await page.locator('input[data-field="name"]').inputValue(), 'other');
  assert.deepEqual((await picksOf(page))[0].filter.extensions, ['toml']);

  await page.locator('nav [data-step="review"]').click();
  await page.locator('#export-zip').check();
  await answerNextPick(page, '/srv/out/other-export.zip');
  await page.locator('#export').click();
  assert.match(await page.locator('#export-result').textContent(), /to \/srv\/out\/other-export\.zip/);
  const zip = (await picksOf(page))[1];
  assert.deepEqual([zip.mode, zip.file_name, zip.directory, zip.filter.extensions], ['save', 'other-export.zip', '/srv', ['zip']]);

  await page.locator('#export-folder').check();
  await answerNextPick(page, '/srv/out/folder');
  await page.locator('#export').click();
  await page.locator('#export-result:has-text("/srv/out/folder")').waitFor();
  assert.equal((await picksOf(page))[2].mode, 'folder');
  assert.deepEqual(errors, []);
});

test('a cancelled dialog changes nothing: Save As, Open and Export', async (t) => {
  const other = { format: 1, name: 'other', kafka: { version: '4.1.1' } };
  const { page } = await wizard(t, { picks: [], files: { '/srv/other.toml': JSON.stringify(other) } });
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#add-host').click();
  await page.locator('input[data-field="hosts[0].name"]').fill('k1');
  await page.locator('input[data-field="hosts[0].id"]').fill('1');
  await waitTitle(page, '● Untitled — Kafka Cluster Wizard');

  await page.locator('#file-save').click();
  await page.waitForFunction(() => (window.__MOCK_OPTIONS__.pickLog ?? []).length === 1 && !document.body.dataset.picking);
  await page.locator('#file-open').click();
  await page.locator('#dialog-yes').click();   // discard the unsaved changes? yes — and then cancel the dialog
  await page.waitForFunction(() => window.__MOCK_OPTIONS__.pickLog.length === 2 && !document.body.dataset.picking);
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#export').click();
  await page.waitForFunction(() => window.__MOCK_OPTIONS__.pickLog.length === 3 && !document.body.dataset.picking);

  assert.deepEqual((await picksOf(page)).map((r) => r.mode), ['save', 'open', 'folder']);
  assert.equal(await page.title(), '● Untitled — Kafka Cluster Wizard', 'still unsaved, still untitled');
  assert.equal(await page.locator('#project-path').textContent(), 'Untitled');
  assert.equal(await page.locator('#export-result').count(), 0, 'nothing exported');
  assert.equal(await page.evaluate(() => window.__app.state.draft.hosts[0].name), 'k1', 'the draft is the one being edited');
  assert.equal(await page.locator('.toast.error:visible').count(), 0, 'no error: cancelling is not an error');
});

test('a KRaft project without a cluster id gets one on Review, once, and says so', async (t) => {
  const { page, errors } = await wizard(t);
  assert.equal(await page.evaluate(() => window.__app.state.draft.kraft?.cluster_id), undefined);
  await page.locator('nav [data-step="review"]').click();
  await page.waitForFunction(() => window.__app.state.draft.kraft?.cluster_id === 'MkU3OEVBNTcwNTJENDM2Qg');
  assert.match(await page.locator('.toast').textContent(), /Generated the KRaft cluster id MkU3OEVBNTcwNTJENDM2Qg/);
  assert.match(await page.title(), /●/, 'the id is a change to save');
  await page.locator('nav [data-step="version"]').click();
  await page.locator('input[data-field="name"]').fill('orders');   // an edit: Review is computed again
  await page.locator('nav [data-step="review"]').click();
  await page.waitForFunction(() => document.body.dataset.validated !== undefined);
  await page.waitForTimeout(300);   // the second visit's review has been requested by now
  assert.equal(await page.evaluate(() => window.__MOCK_OPTIONS__.idRequests), 1, 'kept, not generated again');
  assert.deepEqual(errors, []);
});

test('the dark theme follows the OS colour scheme', async (t) => {
  const server = await serve();
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  const background = async (colorScheme) => {
    const page = await b.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="1"]');
    if (colorScheme === 'dark') await page.screenshot({ path: path.join(SHOTS, 'browser-version-dark.png') });
    return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  };
  const light = await background('light');
  const dark = await background('dark');
  assert.equal(light, 'rgb(246, 247, 251)');
  assert.equal(dark, 'rgb(20, 24, 33)');
});

/** Adds hosts through the Hosts step's paste box. */
async function pasteHosts(page, names) {
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('details.paste summary').click();
  await page.locator('#paste-hosts').fill(names);
  await page.locator('#paste-add').click();
}

/** Adds the hosts, then presses Manage's Smoke test. */
async function smokeTestOf(page, names) {
  await pasteHosts(page, names);
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-smoke').click();
}

test('Cancel during an install stops it after the current phase and says so', async (t) => {
  const { page } = await wizard(t, { delayMs: 40 });
  await pasteHosts(page, 'a1 a2');
  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').click();
  await page.locator('#cancel').click();
  await page.locator('#run-result').waitFor();
  assert.match(await page.locator('#run-result').textContent(), /cancelled/);
  assert.equal(await page.locator('#cancel').count(), 0, 'Cancel goes away when the run ended');
  assert.ok(!(await page.locator('#install').isDisabled()), 'Install can run again');
});

test('Manage reads the status again every 10 s while auto-refresh is on, and stops when it is off', async (t) => {
  const server = await serve();
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
  await page.clock.install();
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="1"]');
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#add-host').click();
  await page.locator('input[data-field="hosts[0].name"]').fill('k1');
  await page.locator('input[data-field="hosts[0].id"]').fill('1');
  await page.clock.runFor(500);
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#refresh').click();
  await page.locator('text=mock status reads: 1').waitFor();
  await page.locator('#auto-refresh').check();
  await page.clock.runFor(10_500);
  await page.locator('text=mock status reads: 2').waitFor();
  await page.clock.runFor(10_000);
  await page.locator('text=mock status reads: 3').waitFor();
  await page.locator('#auto-refresh').uncheck();
  await page.clock.runFor(30_000);
  assert.equal(await page.locator('text=mock status reads: 4').count(), 0);
});

test('Manage\'s Smoke test shows which broker leads which partition, the latency, and a failure naming the broker down', async (t) => {
  const { page, errors } = await wizard(t, { smokeDownHost: 'kafka002' });
  await smokeTestOf(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('#smoke-report').waitFor();
  assert.equal(await page.locator('#smoke-report').getAttribute('data-passed'), 'false');
  assert.match(await page.locator('#smoke-verdict').textContent(), /FAILED/);
  assert.match(await page.locator('#smoke-failures').textContent(), /broker 2 \(kafka002\) is not in the cluster/);
  assert.equal(await page.locator('tr[data-smoke-broker="3"] td.leads').textContent(), '1, 2', 'partition 1 is led by its next in-sync replica');
  assert.equal(await page.locator('tr[data-smoke-broker="2"] td.leads').textContent(), '–');
  assert.match(await page.locator('#smoke-latency').textContent(), /p50 2.1 ms, p99 9.8 ms, max 14.2 ms/);
  assert.match(await page.locator('#log').textContent(), /created kafka-wizard-smoke-/, 'the engine\'s events are in the log');
  assert.match(await page.locator('#smoke-cleanup').textContent(), /deleted/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-smoke-failed.png') });
  assert.deepEqual(errors, []);
});

test('a Smoke test of a healthy cluster passes, and another operation clears its report', async (t) => {
  const { page } = await wizard(t);
  await smokeTestOf(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('#smoke-report[data-passed="true"]').waitFor();
  assert.match(await page.locator('#smoke-verdict').textContent(), /passed: 1000 record/);
  for (const id of [1, 2, 3]) assert.equal(await page.locator(`tr[data-smoke-broker="${id}"] td.leads`).textContent(), String(id - 1));
  await page.locator('#op-start').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  assert.equal(await page.locator('#smoke-report').count(), 0);
});

test('a per-host data directory list is edited on Storage and saved into that host', async (t) => {
  const { page } = await wizard(t);
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#add-host').click();
  await page.locator('input[data-field="hosts[0].name"]').fill('k1');
  await page.locator('nav [data-step="storage"]').click();
  await page.locator('details.host-dirs summary').click();
  await page.locator('input[data-field="hosts[0].data_dirs"]').fill('/disk1, /disk2');
  await page.waitForFunction(() => JSON.stringify(window.__app.state.draft.hosts[0].data_dirs) === '["/disk1","/disk2"]');
});

test('a host can override sudo and be this machine, and only what differs from the defaults is kept', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#add-host').click();
  await page.locator('input[data-field="ssh.user"]').fill('deploy');
  assert.ok(await page.locator('#ssh-sudo').isChecked(), 'a non-root user gets sudo by default, and the box says so');
  await page.locator('tr[data-host="0"] button[aria-expanded]').click();
  await page.locator('#sudo-0').selectOption('no');
  await page.locator('#local-0').check();
  const host = await page.evaluate(() => window.__app.state.draft.hosts[0]);
  assert.deepEqual([host.ssh, host.connection], [{ sudo: false }, 'local']);
  await page.locator('#sudo-0').selectOption('');
  await page.locator('#local-0').uncheck();
  const again = await page.evaluate(() => window.__app.state.draft.hosts[0]);
  assert.equal(again.connection, undefined);
  assert.equal(again.ssh?.sudo, undefined);
  const draft = await page.evaluate(() => window.__app.state.draft.ssh);
  assert.equal(draft.sudo, undefined, 'ticking nothing stores nothing: the default stays implicit');
  assert.deepEqual(errors, []);
});

test('a jump host and ~/.ssh/config are set for every host, one host goes directly, a bad jump host is named at its field, and Save/Open keep them', async (t) => {
  const { page, errors } = await wizard(t, { picks: ['/tmp/jump.toml', '/tmp/jump.toml'] });
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#add-host').click();
  await page.locator('#add-host').click();
  assert.equal(await page.locator('input[data-field="ssh.jump"]').getAttribute('placeholder'), 'ops@bastion.example.com:22', 'the schema\'s example');
  await page.locator('input[data-field="ssh.jump"]').fill('ops@bastion:2o');
  await msgOf(page, 'ssh.jump').waitFor();
  assert.match(await msgOf(page, 'ssh.jump').textContent(), /is not a jump host/);
  assert.equal(await page.locator('input[data-field="ssh.jump"]').getAttribute('aria-invalid'), 'true');
  await page.locator('input[data-field="ssh.jump"]').fill('ops@bastion:2222');
  await msgOf(page, 'ssh.jump').waitFor({ state: 'detached' });
  await page.locator('#ssh-use-config').check();
  await page.locator('tr[data-host="1"] button[aria-expanded]').click();
  assert.equal(await page.locator('input[data-field="hosts[1].ssh.jump"]').getAttribute('placeholder'), 'ops@bastion:2222', 'empty: the project\'s jump host');
  assert.match(await page.locator('tr.ssh-row').textContent(), /reached through ops@bastion:2222/);
  await page.locator('#no-jump-1').check();
  assert.ok(await page.locator('input[data-field="hosts[1].ssh.jump"]').isDisabled());
  assert.match(await page.locator('tr.ssh-row').textContent(), /reached directly/);
  await page.locator('#ssh-config-1').selectOption('no');
  await page.locator('tr[data-host="0"] button[aria-expanded]').click();
  await page.locator('input[data-field="hosts[0].ssh.jump"]').fill('bad jump');
  await msgOf(page, 'hosts[0].ssh.jump').waitFor();
  assert.match(await msgOf(page, 'hosts[0].ssh.jump').textContent(), /"bad jump" is not a jump host/);
  await page.locator('input[data-field="hosts[0].ssh.jump"]').fill('');
  await msgOf(page, 'hosts[0].ssh.jump').waitFor({ state: 'detached' });
  const draft = await page.evaluate(() => window.__app.state.draft);
  assert.deepEqual(draft.ssh, { jump: 'ops@bastion:2222', use_ssh_config: true });
  assert.deepEqual([draft.hosts[0].ssh?.jump, draft.hosts[1].ssh], [undefined, { jump: 'none', use_ssh_config: false }]);
  await page.keyboard.press('Control+Shift+S');
  await page.waitForFunction(() => window.__app.state.path === '/tmp/jump.toml');
  await page.locator('#file-new').click();
  await page.waitForFunction(() => window.__app.state.path === null);
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await page.waitForFunction(() => window.__app.state.draft.ssh?.jump === 'ops@bastion:2222');
  const opened = await page.evaluate(() => window.__app.state.draft);
  assert.deepEqual([opened.ssh, opened.hosts[1].ssh], [draft.ssh, draft.hosts[1].ssh], 'Save and Open keep them unchanged');
  assert.deepEqual(errors, []);
});

test('an opened project whose host has a bad jump host shows that host\'s SSH override with the problem at its field', async (t) => {
  const bad = { format: 1, name: 'c', kafka: { version: '4.1.1' }, hosts: [{ name: 'k1', roles: ['broker', 'controller'], id: 1, ssh: { jump: 'ops@bastion:x' } }] };
  const { page, errors } = await wizard(t, { picks: ['/srv/c.toml'], files: { '/srv/c.toml': JSON.stringify(bad) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await page.waitForFunction(() => window.__app.state.path === '/srv/c.toml');
  await page.locator('nav [data-step="hosts"]').click();
  await msgOf(page, 'hosts[0].ssh.jump').waitFor();
  assert.equal(await page.locator('input[data-field="hosts[0].ssh.jump"]').inputValue(), 'ops@bastion:x');
  assert.equal(await page.locator('nav [data-step="hosts"] .badge').textContent(), '1');
  assert.deepEqual(errors, []);
});

test('an empty project offers the guide\'s cluster as an example, loaded unsaved', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#example-seed').click();
  await page.locator('tr[data-host="2"]').waitFor();
  assert.equal(await page.locator('input[data-field="name"]').count(), 0, 'still on Hosts');
  assert.equal(await page.locator('input[data-field="hosts[0].name"]').inputValue(), 'peter-kafka001');
  assert.match(await page.title(), /●/, 'an example is an unsaved project');
  assert.deepEqual(errors, []);
});

test('an empty Hosts step offers This machine: a one-node KRaft cluster here, unsaved, that installs and is managed', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="hosts"]').click();
  assert.match(await page.locator('#hosts-empty').textContent(), /one-node KRaft cluster on this computer/);
  await page.locator('#this-machine').click();
  await page.locator('tr[data-host="0"]').waitFor();
  assert.equal(await page.locator('tr[data-host]').count(), 1, 'one node');
  assert.equal(await page.locator('input[data-field="hosts[0].name"]').inputValue(), 'localhost');
  assert.equal(await page.locator('input[data-field="hosts[0].address"]').inputValue(), '127.0.0.1');
  assert.equal(await page.locator('tr[data-host="0"] td.roles input:checked').count(), 2, 'broker and controller');
  assert.match(await page.locator('.toast').textContent(), /one-node KRaft cluster of Kafka 4\.1\.1 on this computer/);
  assert.match(await page.title(), /●/, 'an unsaved project');
  const draft = await page.evaluate(() => window.__app.state.draft);
  assert.equal(draft.hosts[0].connection, 'local', 'no SSH: this machine');
  assert.equal(draft.kafka.mode, 'kraft');
  assert.ok(draft.kraft.cluster_id, 'its cluster id comes with it');
  assert.equal(draft.security.protocol, 'sasl_ssl', 'secured like every new project');
  await page.screenshot({ path: path.join(SHOTS, 'browser-hosts-this-machine.png') });

  await page.locator('nav [data-step="review"]').click();
  await page.locator('#file-content').waitFor();
  assert.equal(await page.evaluate(() => window.__MOCK_OPTIONS__.idRequests ?? 0), 0, 'no new cluster id asked for');
  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').click();
  await page.locator('#run-result').waitFor();
  assert.equal(await page.locator('tr[data-host-row="localhost"]').getAttribute('data-state'), 'done');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#refresh').click();
  await page.locator('#status-table').waitFor();
  assert.equal(await page.locator('tr[data-status-host]').count(), 1);

  await page.selectOption('#lang', 'ko');
  await page.locator('#file-new').click();
  await page.locator('#dialog-yes').click();
  await page.locator('nav [data-step="hosts"]').click();
  assert.equal(await page.locator('#this-machine').textContent(), '이 컴퓨터');
  assert.deepEqual(errors, []);
});

test('Test all connections tests every host at once, each result on its own row', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#example-seed').click();
  await page.locator('tr[data-host="2"]').waitFor();
  await page.locator('#test-all').click();
  for (const i of [0, 1, 2]) await page.locator(`tr[data-conn="${i}"] .fingerprint`).waitFor();
  assert.equal(await page.locator('tr[data-conn]').count(), 3);
  assert.deepEqual(errors, []);
});

test('defaults and field steps come from the engine\'s field schema: a changed default shows with no UI edit', async (t) => {
  const server = await serve();
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  const port = (page) => page.locator('input[data-field="kafka.listener_port"]').getAttribute('placeholder');
  const engine = JSON.parse(fs.readFileSync(FIELD_SCHEMA, 'utf8'));

  const { page: before } = await open(b, server.url);
  await before.locator('nav [data-step="storage"]').click();
  assert.equal(await port(before), '9092');
  await before.locator('nav [data-step="hosts"]').click();
  assert.equal(await before.locator('input[data-field="ssh.identity_file"]').getAttribute('placeholder'), '~/.ssh/id_ed25519');
  assert.equal(await before.locator('#paste-hosts').getAttribute('placeholder'), 'kafka001\nkafka002\nkafka003');

  // the engine changes the listener port's default and edits the cluster name on Hosts: the wizard follows
  const changed = engine.map((f) => (f.path === 'kafka.listener_port' ? { ...f, default: '19092' } : f.path === 'name' ? { ...f, step: 'hosts' } : f));
  const { page, errors } = await open(b, server.url, { fieldSchema: changed });
  await page.locator('nav [data-step="storage"]').click();
  assert.equal(await port(page), '19092');
  await page.locator('nav [data-step="version"]').click();
  const hostsBadge = page.locator('nav [data-step="hosts"] .badge');
  await page.waitForFunction(() => document.body.dataset.validated !== undefined);
  assert.equal(await hostsBadge.textContent(), '1', 'no hosts yet');
  await page.locator('input[data-field="name"]').fill('');
  await page.locator('nav [data-step="hosts"] .badge:text("2")').waitFor();
  assert.equal(await page.locator('nav [data-step="version"] .badge').textContent(), '', 'the name\'s problem counts where the schema puts it');
  assert.deepEqual(errors, []);
});

test('the app\'s own bundle, opened in a plain browser, runs and says it needs the app (it has no mock)', async (t) => {
  const server = await serve({ appBundle: true });
  const b = await browser();
  t.after(async () => { await b.close(); await server.close(); });
  const page = await b.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.locator('#app:has-text("runs inside its app")').waitFor();
  assert.deepEqual(errors, []);
});

/** The guide's example hosts (three brokers in the mock), on Hosts. */
async function seedHosts(page) {
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#example-seed').click();
  await page.locator('tr[data-host="2"]').waitFor();
}

/** Test connection on host 0, its key accepted: logged in. */
async function testFirstHost(page) {
  await page.locator('nav [data-step="hosts"]').click();
  await page.locator('#test-0').click();
  await page.locator('#accept-key-0').click();
  await page.locator('tr[data-conn="0"] >> text=debian 12').waitFor();
}

test('Review says the diff comes after Test connection, then shows each host\'s changed line coloured and foldable, and why the broker restarts', async (t) => {
  const { page, errors } = await wizard(t);
  await seedHosts(page);
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#deploy-diff-later').waitFor();
  assert.match(await page.locator('#deploy-diff-later').textContent(), /after Test connection/);
  assert.equal(await page.evaluate(() => window.__MOCK_OPTIONS__.previewRequests ?? 0), 0, 'no host is read before a connection was tested');

  await testFirstHost(page);
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#deploy-diff-summary').waitFor();
  assert.match(await page.locator('#deploy-diff-summary').textContent(), /match the project|change nothing/, 'the hosts already match');
  assert.equal(await page.locator('.diff-file').count(), 0);

  await page.locator('nav [data-step="storage"]').click();
  await page.locator('input[data-field="kafka.heap"]').fill('2g');
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#deploy-diff-summary >> text=would change').waitFor();
  const file = page.locator('[data-diff-target="peter-kafka002"] details.diff-file[data-step="write /etc/kafka/server.properties"]');
  assert.deepEqual(await file.locator('pre .diff-add').allTextContents(), ['+# heap 2g']);
  assert.deepEqual(await file.locator('pre .diff-del').allTextContents(), ['-# heap 1g']);
  assert.match(await file.locator('summary').textContent(), /\+1 −1/, 'the summary counts the added and removed lines');
  const color = (sel) => file.locator(`pre ${sel}`).first().evaluate((e) => getComputedStyle(e).color);
  assert.notEqual(await color('.diff-add'), await color('.diff-del'), 'added and removed lines are coloured apart');
  assert.notEqual(await color('.diff-add'), await color('.diff-ctx'));
  assert.match(await page.locator('[data-diff-target="peter-kafka002"] [data-restart]').textContent(), /restart.*server\.properties changed/);
  assert.equal(await page.locator('[data-diff-target="peter-kafka001"] .diff-file').count(), 1, 'every host is shown, not only the tested one');
  await page.screenshot({ path: path.join(SHOTS, 'browser-review-diff.png') });

  await file.locator('summary').click();
  assert.equal(await file.getAttribute('open'), null, 'a file folds');
  assert.ok(!(await file.locator('pre.diff').isVisible()));
  await page.locator('#deploy-diff-refresh').click();
  await page.locator('#deploy-diff-summary').waitFor();
  const again = page.locator('[data-diff-target="peter-kafka002"] details.diff-file');
  assert.equal(await again.getAttribute('open'), null, 'and stays folded when the preview is read again');
  assert.deepEqual(errors, []);
});

test('a preview that cannot reach the hosts says so with the engine\'s message', async (t) => {
  const { page, errors } = await wizard(t, { previewError: 'connect' });
  await seedHosts(page);
  await testFirstHost(page);
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#deploy-diff-error').waitFor();
  assert.equal(await page.locator('#deploy-diff-error').getAttribute('data-code'), 'connect');
  assert.match(await page.locator('#deploy-diff-error').textContent(), /mock preview failed/);
  assert.deepEqual(errors, []);
});

test('a restart refused because the cluster is unhealthy offers Restart anyway, warned and confirmed, which forces it', async (t) => {
  const { page, errors } = await wizard(t, { unhealthyBeforeRoll: true });
  await seedHosts(page);
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-restart').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /not healthy.*nothing was restarted/);
  assert.doesNotMatch(await page.locator('#op-result').textContent(), /--force/, 'the app never speaks of the CLI flag');
  assert.match(await page.locator('#force-offer').textContent(), /partitions unavailable/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-manage-force.png') });

  await page.locator('#op-restart-force').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /NOT healthy/, 'forcing asks again, with the warning');
  await page.locator('#dialog-no').click();
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.operateLog), [{ verb: 'restart', force: false }]);
  await page.locator('#op-restart-force').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result >> text=ok').waitFor();
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.operateLog), [{ verb: 'restart', force: false }, { verb: 'restart', force: true }]);
  assert.equal(await page.locator('#force-offer').count(), 0, 'the offer goes once the restart ran');

  // an ordinary restart never forces
  await page.locator('#op-restart').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#force-offer').waitFor();
  assert.deepEqual((await page.evaluate(() => window.__MOCK_OPTIONS__.operateLog)).at(-1), { verb: 'restart', force: false });
  assert.deepEqual(errors, []);
});

test('Cancel during a restart from Manage says the restart was cancelled', async (t) => {
  const { page, errors } = await wizard(t, { delayMs: 60, holdUntilCancel: true });
  await seedHosts(page);
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-restart').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#cancel').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /Restart \(rolling\) cancelled/);
  assert.deepEqual(errors, []);
});

test('a new project is secure; the Security step edits users and ACLs in place, shows the CA, and Client config… writes through the folder dialog', async (t) => {
  const caInfo = { source: 'generate', path: '/x/secrets/id.toml', subject: 'CN=my-kafka CA', sha256_fingerprint: '3F:A0:77', not_before: 1764460800, not_after: 2079993600 };
  const { page, errors } = await wizard(t, { caInfo, picks: ['/tmp/billing-client', '/tmp/admin-client'] });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('nav [data-step="security"]').click();
  assert.equal(await page.locator('#step h2').textContent(), '5. Security');
  assert.ok(await page.locator('#protocol-sasl_ssl').isChecked(), 'TLS + SCRAM from the start');
  assert.ok(await page.locator('#ca-generate').isChecked());
  assert.equal(await page.locator('input[data-field="security.admin_user"]').inputValue(), 'admin');
  await page.locator('#ca-info[data-fingerprint]').waitFor();
  assert.match(await page.locator('#ca-info').textContent(), /SHA-256 3F:A0:77, valid until 2035-11-30/);

  await page.locator('#security-users').fill('orders-app\nbilling');
  await page.locator('#add-acl').click();
  assert.equal(await page.locator('input[data-field="security.acls[0].user"]').inputValue(), 'orders-app', 'a new ACL is for the first user');
  await page.locator('input[data-field="security.acls[0].user"]').fill('nobody');
  await msgOf(page, 'security.acls[0].user').waitFor();
  assert.match(await msgOf(page, 'security.acls[0].user').textContent(), /not in security.users/);
  assert.equal(await page.locator('nav [data-step="security"] .badge').textContent(), '1');
  await page.locator('input[data-field="security.acls[0].user"]').fill('billing');
  await msgOf(page, 'security.acls[0].user').waitFor({ state: 'detached' });
  await page.locator('select[data-field="security.acls[0].resource"]').selectOption('group');
  await page.locator('input[data-field="security.acls[0].name"]').fill('billing-');
  await page.locator('select[data-field="security.acls[0].pattern"]').selectOption('prefixed');
  await page.locator('input[data-field="security.acls[0].operations"]').fill('read, describe');
  await page.waitForFunction(() => JSON.stringify(window.__app.state.draft.security) === JSON.stringify({
    protocol: 'sasl_ssl', ca: 'generate', admin_user: 'admin', users: ['orders-app', 'billing'],
    acls: [{ user: 'billing', resource: 'group', operations: ['read', 'describe'], name: 'billing-', pattern: 'prefixed' }],
  }));
  await page.screenshot({ path: path.join(SHOTS, 'browser-security.png') });

  // plaintext hides the rest and keeps it; TLS + SCRAM brings it back
  await page.locator('#protocol-plaintext').check();
  assert.equal(await page.locator('#security-users').count(), 0);
  assert.equal(await page.locator('#ca-info').count(), 0);
  await page.locator('#protocol-sasl_ssl').check();
  assert.equal(await page.locator('#security-users').inputValue(), 'orders-app\nbilling');

  await page.locator('nav [data-step="review"]').click();
  await page.locator('#client-config').waitFor();
  await page.locator('#ca-info[data-fingerprint="3F:A0:77"]').waitFor();
  assert.deepEqual(await page.locator('#client-config-user option').allTextContents(), ['admin', 'orders-app', 'billing']);
  await page.locator('#client-config-user').selectOption('billing');
  await page.locator('#client-config').click();
  await page.locator('#client-config-result').waitFor();
  assert.match(await page.locator('#client-config-result').textContent(), /\/tmp\/billing-client\/client\.properties, \/tmp\/billing-client\/ca\.pem/);
  const picked = await picksOf(page);
  assert.equal(picked.at(-1).mode, 'folder');
  assert.match(picked.at(-1).title, /billing/);

  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#client-config-user').inputValue(), 'billing', 'the user chosen stays chosen');
  await page.locator('#client-config-user').selectOption('admin');
  await page.locator('#client-config').click();
  await page.waitForFunction(() => (window.__MOCK_OPTIONS__.clientConfigLog ?? []).length === 2);
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.clientConfigLog), [
    { user: 'billing', directory: '/tmp/billing-client' }, { user: 'admin', directory: '/tmp/admin-client' },
  ]);
  assert.deepEqual(errors, []);
});

test('Rotate CA… shows its three passes on every node and what they mean, then runs confirmed with live progress and leaves the CA to be read again', async (t) => {
  const caInfo = { source: 'generate', path: '/x/secrets/id.toml', subject: 'CN=my-kafka CA', sha256_fingerprint: '3F:A0:77', not_before: 1764460800, not_after: 2079993600 };
  const { page, errors } = await wizard(t, { caInfo, delayMs: 2 });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('nav [data-step="storage"]').click();
  await page.locator('input[data-field="kafka.heap"]').fill('2g'); // a change the same deploy would make too
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-rotate-ca').click();
  await page.locator('#rotate-ca-what').waitFor();
  assert.match(await page.locator('#rotate-ca-what').textContent(), /without downtime: three rolling restarts, so each of the 3 Kafka node\(s\) is restarted three times/);
  assert.deepEqual(await page.locator('#rotate-ca li[data-pass]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-pass'))), ['ca-trust-both', 'ca-new-certificates', 'ca-drop-old']);
  assert.equal(await page.locator('#rotate-ca li[data-pass="ca-trust-both"] li[data-node]').count(), 3, 'every node in every pass');
  assert.match(await page.locator('#rotate-ca li[data-pass="ca-trust-both"] li[data-node="kafka002"]').textContent(), /a new CA is generated first/);
  assert.match(await page.locator('#rotate-ca-other').textContent(), /also makes 6 other change/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-rotate-ca.png') });
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.deployLog ?? []), [], 'reading the plan changes nothing');

  await page.locator('#rotate-ca-run').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /restarted three times, one at a time.*no downtime/);
  await page.locator('#dialog-no').click();
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.deployLog ?? []), [], 'No runs nothing');
  await page.locator('#rotate-ca-run').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /CA rotated/);
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.deployLog), [{ rotate_ca: true }]);
  assert.match(await page.locator('#log').textContent(), /roll: trusts only the new CA/, 'the three passes streamed into the log');
  assert.equal(await page.locator('#rotate-ca').count(), 0, 'the plan is closed once it ran');
  await page.locator('#ca-info[data-fingerprint]').waitFor();
  assert.deepEqual(errors, []);
});

test('Coordination chooses the KRaft controller quorum: dynamic writes kraft.quorum, static removes the key', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="coordination"]').click();
  assert.ok(await page.locator('#quorum-static').isChecked(), 'no key: the static quorum, as the engine reads it');
  await page.locator('#quorum-dynamic').check();
  await page.waitForFunction(() => window.__app.state.draft.kraft?.quorum === 'dynamic');
  assert.match(await page.locator('[data-field="kraft.quorum"]').textContent(), /Convert quorum… \(Kafka 4\.1\+, irreversible\)/);
  await page.locator('#quorum-static').check();
  await page.waitForFunction(() => window.__app.state.draft.kraft?.quorum === undefined);
  assert.deepEqual(errors, []);
});

test('Convert quorum… is offered while the status names nodes on the static quorum, shows the irreversible step and the restarts, and runs confirmed', async (t) => {
  const { page, errors } = await wizard(t, { delayMs: 2, staticQuorum: ['kafka001', 'kafka002', 'kafka003'] });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#refresh').click();
  await page.locator('#convert-quorum-offer').waitFor();
  assert.match(await page.locator('#convert-quorum-offer').textContent(), /kafka001, kafka002, kafka003 still run a static controller quorum/);
  await page.locator('#op-convert-quorum').click();
  await page.locator('#convert-quorum-step').waitFor();
  assert.match(await page.locator('#convert-quorum-step').textContent(), /raise kraft\.version to 1: UpdateFeatures kraft\.version=1 — irreversible/);
  assert.match(await page.locator('#convert-quorum-what').textContent(), /cannot be undone/);
  assert.match(await page.locator('#convert-quorum-restarts').textContent(), /Restarted one at a time: kafka001, kafka002, kafka003/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-convert-quorum.png') });
  assert.equal(await page.evaluate(() => window.__MOCK_OPTIONS__.convertLog ?? 0), 0, 'reading the plan changes nothing');

  await page.locator('#convert-quorum-run').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /irreversible.*every node is restarted once/);
  await page.locator('#dialog-no').click();
  assert.equal(await page.evaluate(() => window.__MOCK_OPTIONS__.convertLog ?? 0), 0, 'No runs nothing');
  await page.locator('#convert-quorum-run').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /Quorum converted: dynamic from now on/);
  assert.equal(await page.evaluate(() => window.__MOCK_OPTIONS__.convertLog), 1);
  assert.equal(await page.locator('#convert-quorum').count(), 0, 'the plan is closed once it ran');
  await page.waitForFunction(() => !document.querySelector('#convert-quorum-offer'));
  assert.deepEqual(errors, []);
});

test('Rotate CA… is offered only for a CA the wizard generates, continues a rotation stopped part-way, and Cancel says the next one continues it', async (t) => {
  const { page, errors } = await wizard(t, { delayMs: 60, holdUntilCancel: true, rotationPassesDone: 1 });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-rotate-ca').click();
  await page.locator('#rotate-ca-what').waitFor();
  assert.match(await page.locator('#rotate-ca li[data-pass="ca-trust-both"] li[data-node="kafka001"]').textContent(), /already done/);
  assert.doesNotMatch(await page.locator('#rotate-ca li[data-pass="ca-new-certificates"] li[data-node="kafka001"]').textContent(), /already done/);
  assert.equal(await page.locator('#rotate-ca-other').count(), 0, 'nothing else would change');
  await page.locator('#rotate-ca-run').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#cancel').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /Rotate CA cancelled .* continues the rotation where it stopped/);

  await page.evaluate(() => { window.__app.state.draft.security.ca = 'provided'; });
  await page.locator('nav [data-step="review"]').click();
  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#op-rotate-ca').count(), 0, 'a provided CA is rotated by its owner');
  await page.evaluate(() => { delete window.__app.state.draft.security; });
  await page.locator('nav [data-step="review"]').click();
  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#op-rotate-ca').count(), 0, 'a plaintext cluster has no CA');
  assert.deepEqual(errors, []);
});

test('an Install refused because this machine lost the running cluster\'s secrets store offers Recover secrets…, which says what it reads and cannot recover, then runs confirmed', async (t) => {
  const caInfo = { source: 'generate', path: '/x/secrets/id.toml', subject: 'CN=my-kafka CA', sha256_fingerprint: '3F:A0:77', not_before: 1764460800, not_after: 2079993600 };
  const { page, errors } = await wizard(t, { secretsLost: true, caInfo, delayMs: 2 });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').click();
  await page.locator('#run-result').waitFor();
  assert.match(await page.locator('#run-result').textContent(), /no secrets store for this cluster .* Recover secrets… \(Manage\)/);
  assert.doesNotMatch(await page.locator('#run-result').textContent(), /--recover-secrets/, 'the app names its own action');
  assert.match(await page.locator('#install-secrets-lost').textContent(), /If the store is lost, Recover secrets… rebuilds it from the hosts/);
  await page.locator('#install-recover-secrets').click();
  const question = await page.locator('.overlay .dialog').textContent();
  assert.match(question, /as root over SSH and reads its key and certificate, the CA certificate \(\/etc\/kafka\/tls\/\) and the brokers' own login/, 'what it reads');
  assert.match(question, /NEW passwords on the running cluster .* new Client config…/, 'what changes for applications');
  assert.match(question, /The CA's key was never on the hosts and cannot be recovered: .* Rotate CA…/, 'what it cannot recover');
  await page.screenshot({ path: path.join(SHOTS, 'browser-recover-secrets.png') });
  await page.locator('#dialog-no').click();
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.deployLog), [{ rotate_ca: false }], 'No runs nothing');
  await page.locator('#install-recover-secrets').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#run-result.ok').waitFor();
  assert.match(await page.locator('#run-result').textContent(), /Secrets store recovered from the hosts: the admin and every application user have new passwords .* CA key could not be recovered/);
  assert.match(await page.locator('#log').textContent(), /recover: read \/etc\/kafka\/tls/, 'the run streamed into the log');
  assert.equal(await page.locator('#install-secrets-lost').count(), 0, 'the offer goes with the refusal');
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.deployLog), [{ rotate_ca: false }, { rotate_ca: false, recover_secrets: true }]);
  await page.locator('#install').click();
  await page.locator('#run-result.ok').waitFor();
  assert.match(await page.locator('#run-result').textContent(), /changed/, 'the next Install runs on the recovered store');
  assert.deepEqual(errors, []);
});

test('Manage offers Recover secrets… for a secured project only, and runs it after the confirmation in Manage\'s run area', async (t) => {
  const { page, errors } = await wizard(t, { secretsLost: true, delayMs: 2 });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-recover-secrets').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /Recover the secrets store of .* from its hosts\?/);
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /Secrets store recovered from the hosts/);
  assert.deepEqual(await page.evaluate(() => window.__MOCK_OPTIONS__.deployLog), [{ rotate_ca: false, recover_secrets: true }]);

  await page.evaluate(() => { delete window.__app.state.draft.security; });
  await page.locator('nav [data-step="review"]').click();
  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#op-recover-secrets').count(), 0, 'a plaintext cluster has no secrets to recover');
  assert.deepEqual(errors, []);
});

test('a migrating project is moved to KRaft from Manage, finalized, and its file reloaded in KRaft mode', async (t) => {
  const migrating = { format: 1, name: 'migrating', kafka: { version: '3.9.1', mode: 'zookeeper' }, zookeeper: {}, kraft: { controller_port: 9093 },
    hosts: [{ name: 'zk1', roles: ['zookeeper', 'controller'], zookeeper_id: 1, id: 101 }, { name: 'zk9', roles: ['zookeeper'], zookeeper_id: 2 }, { name: 'kafka1', roles: ['broker'], id: 1 }] };
  const { page, errors } = await wizard(t, { picks: ['/srv/migrating.toml'], files: { '/srv/migrating.toml': JSON.stringify(migrating) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'migrating.toml — Kafka Cluster Wizard');
  await page.locator('nav [data-step="manage"]').click();

  await page.locator('#op-migrate').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /copies ZooKeeper's metadata.*can still go back/);
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result >> text=the brokers run in KRaft mode').waitFor();

  await page.locator('#op-migrate-finalize').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /cannot be undone.*stopped and disabled.*\/srv\/migrating\.toml is rewritten to KRaft mode/);
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result >> text=Migration to KRaft finalized').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /\/srv\/migrating\.toml now says kafka\.mode = "kraft".*zk9 left the project/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-manage-migrated.png') });
  assert.equal(await page.locator('#op-migrate, #op-migrate-finalize').count(), 0, 'a KRaft project has nothing to migrate');
  assert.equal(await page.title(), 'migrating.toml — Kafka Cluster Wizard', 'the project is the file as rewritten, nothing unsaved');
  await page.locator('nav [data-step="hosts"]').click();
  assert.equal(await page.locator('tr[data-host]').count(), 2, 'the host that only ran ZooKeeper left the project');
  assert.deepEqual(errors, []);
});

test('a migration is rolled back from Manage and the file reloaded without its controllers', async (t) => {
  const migrating = { format: 1, name: 'migrating', kafka: { version: '3.9.1', mode: 'zookeeper' }, zookeeper: {}, kraft: { controller_port: 9093 },
    hosts: [{ name: 'zk1', roles: ['zookeeper', 'controller'], zookeeper_id: 1, id: 101 }, { name: 'ctl2', roles: ['controller'], id: 102 }, { name: 'kafka1', roles: ['broker'], id: 1 }] };
  const { page, errors } = await wizard(t, { picks: ['/srv/migrating.toml'], files: { '/srv/migrating.toml': JSON.stringify(migrating) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'migrating.toml — Kafka Cluster Wizard');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-migrate-rollback').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /back to ZooKeeper mode.*moved aside.*\/controller and \/migration.*\/srv\/migrating\.toml/);
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result >> text=Migration rolled back').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /\/srv\/migrating\.toml no longer has KRaft controllers.*ctl2 left the project/);
  assert.equal(await page.locator('#op-migrate, #op-migrate-finalize, #op-migrate-rollback').count(), 0, 'a plain ZooKeeper project has nothing to migrate');
  assert.equal(await page.title(), 'migrating.toml — Kafka Cluster Wizard', 'the project is the file as rewritten, nothing unsaved');
  await page.locator('nav [data-step="hosts"]').click();
  assert.equal(await page.locator('tr[data-host]').count(), 2, 'the host that was only a controller left the project');
  assert.deepEqual(errors, []);
});

test('the Hosts step of a ZooKeeper-mode project offers the role controller, which makes it a migration to KRaft', async (t) => {
  const guide = { format: 1, name: 'guide', kafka: { version: '3.9.1', mode: 'zookeeper' }, zookeeper: {},
    hosts: [{ name: 'zk1', roles: ['zookeeper'], zookeeper_id: 1 }, { name: 'kafka1', roles: ['broker'], id: 1 }] };
  const { page, errors } = await wizard(t, { picks: ['/srv/guide.toml'], files: { '/srv/guide.toml': JSON.stringify(guide) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'guide.toml — Kafka Cluster Wizard');
  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#op-migrate').count(), 0, 'a plain ZooKeeper project has nothing to migrate');
  await page.locator('nav [data-step="hosts"]').click();
  const roles = (i) => page.locator(`tr[data-host="${i}"] td.roles label`).allTextContents();
  assert.deepEqual(await roles(0), ['broker', 'zookeeper', 'controller'], '3.9 migrates: controller is offered');
  assert.match(await page.locator('#hosts-migration-hint').textContent(), /KRaft controllers.*without broker.*Migrate to KRaft/);

  // a broker is no migration controller: refused at its roles
  await page.locator('tr[data-host="1"] td.roles label:has-text("controller") input').check();
  await msgOf(page, 'hosts[1].roles').waitFor();
  assert.match(await msgOf(page, 'hosts[1].roles').textContent(), /dedicated controllers/);
  await page.locator('tr[data-host="1"] td.roles label:has-text("controller") input').uncheck();
  await msgOf(page, 'hosts[1].roles').waitFor({ state: 'detached' });

  // a new host as a dedicated controller: the project is migrating, and Manage offers the move
  await page.locator('#add-host').click();
  await page.locator('input[data-field="hosts[2].name"]').fill('ctl1');
  await page.locator('tr[data-host="2"] td.roles label:has-text("broker") input').uncheck();
  await page.locator('tr[data-host="2"] td.roles label:has-text("controller") input').check();
  await page.locator('#auto-number').click();
  assert.equal(await page.locator('input[data-field="hosts[2].id"]').inputValue(), '2', 'the controller takes the next node id');
  assert.deepEqual(await page.evaluate(() => window.__app.state.draft.hosts[2].roles), ['controller']);
  await page.screenshot({ path: path.join(SHOTS, 'browser-hosts-migration-controller.png') });
  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#op-migrate').count(), 1, 'Migrate to KRaft is offered');

  // a release the wizard does not migrate from: no controller offered, and a file that has one is refused at the version
  await page.evaluate(() => { window.__app.state.draft.kafka.version = '2.8.0'; });
  await page.locator('nav [data-step="hosts"]').click();
  assert.deepEqual(await roles(0), ['broker', 'zookeeper', 'controller'], 'kept while a host has it, so it can be taken away');
  // (a click: the box goes away with the role, so there is nothing left to see unchecked)
  await page.locator('tr[data-host="2"] td.roles label:has-text("controller") input').click();
  assert.deepEqual(await roles(0), ['broker', 'zookeeper'], '2.8 does not migrate: no controller in ZooKeeper mode');
  assert.equal(await page.locator('#hosts-migration-hint').count(), 0);
  assert.deepEqual(errors, []);
});

test('Finalize migration waits while the project has unsaved changes, since it rewrites the file', async (t) => {
  const migrating = { format: 1, name: 'migrating', kafka: { version: '3.9.1', mode: 'zookeeper' }, zookeeper: {},
    hosts: [{ name: 'zk1', roles: ['zookeeper', 'controller'], zookeeper_id: 1, id: 101 }, { name: 'kafka1', roles: ['broker'], id: 1 }] };
  const { page, errors } = await wizard(t, { picks: ['/srv/migrating.toml'], files: { '/srv/migrating.toml': JSON.stringify(migrating) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'migrating.toml — Kafka Cluster Wizard');
  await page.locator('input[data-field="name"]').fill('migrating-edited');
  await page.locator('nav [data-step="manage"]').click();
  assert.ok(await page.locator('#op-migrate').isEnabled(), 'moving on up to the reversible end writes no file');
  assert.ok(await page.locator('#op-migrate-finalize').isDisabled());
  assert.match(await page.locator('#op-migrate-finalize').getAttribute('title'), /Save the project first/);
  assert.ok(await page.locator('#op-migrate-rollback').isDisabled(), 'Roll back rewrites the file too');
  assert.deepEqual(errors, []);
});

test('extra JVM options are typed space-separated on Storage and Coordination and kept as lists', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="storage"]').click();
  await page.locator('input[data-field="kafka.jvm_opts"]').fill('-XX:+AlwaysPreTouch   -Dkw.site=eu ');
  await page.waitForFunction(() => JSON.stringify(window.__app.state.draft.kafka.jvm_opts) === '["-XX:+AlwaysPreTouch","-Dkw.site=eu"]');
  await page.locator('input[data-field="kafka.jvm_opts"]').fill(' ');
  await page.waitForFunction(() => window.__app.state.draft.kafka.jvm_opts === undefined);
  await page.evaluate(() => { window.__app.state.draft.kafka.mode = 'zookeeper'; });
  await page.locator('nav [data-step="coordination"]').click();
  const zk = page.locator('input[data-field="zookeeper.jvm_opts"]');
  if (!(await zk.isVisible())) await page.locator('details.advanced summary').click();
  await zk.fill('-XX:+PerfDisableSharedMem');
  await page.waitForFunction(() => JSON.stringify(window.__app.state.draft.zookeeper?.jvm_opts) === '["-XX:+PerfDisableSharedMem"]');
  assert.deepEqual(errors, []);
});

test('the exporter is on for a new project with the engine\'s ports shown on Storage, a clashing port is named at its field, and turning it off leaves the default', async (t) => {
  const { page, errors } = await wizard(t);
  await page.locator('nav [data-step="storage"]').click();
  assert.ok(await page.locator('#monitoring-prometheus').isChecked(), 'new projects are monitored');
  assert.equal(await page.locator('input[data-field="monitoring.kafka_port"]').getAttribute('placeholder'), '7071', 'the engine\'s default');
  assert.equal(await page.locator('input[data-field="monitoring.zookeeper_port"]').count(), 0, 'a KRaft project runs no ZooKeeper exporter');
  await page.locator('input[data-field="monitoring.kafka_port"]').fill('9092');
  await msgOf(page, 'monitoring.kafka_port').waitFor();
  assert.match(await msgOf(page, 'monitoring.kafka_port').textContent(), /needs a port of its own/);
  assert.equal(await page.locator('nav [data-step="storage"] .badge').textContent(), '1', 'the problem counts on Storage');
  await page.locator('input[data-field="monitoring.kafka_port"]').fill('7081');
  await msgOf(page, 'monitoring.kafka_port').waitFor({ state: 'detached' });
  assert.deepEqual(await page.evaluate(() => window.__app.state.draft.monitoring), { prometheus: true, kafka_port: 7081 });
  await page.evaluate(() => { window.__app.state.draft.kafka.version = '3.9.1'; window.__app.state.draft.kafka.mode = 'zookeeper'; });
  await page.locator('nav [data-step="version"]').click();
  await page.locator('nav [data-step="storage"]').click();
  assert.equal(await page.locator('input[data-field="monitoring.zookeeper_port"]').getAttribute('placeholder'), '7072');
  await page.locator('#monitoring-prometheus').uncheck();
  assert.equal(await page.locator('input[data-field="monitoring.kafka_port"]').count(), 0, 'no ports without an exporter');
  assert.equal(await page.evaluate(() => window.__app.state.draft.monitoring.prometheus), undefined, 'off is the engine\'s default: nothing stored');
  await page.screenshot({ path: path.join(SHOTS, 'browser-storage-monitoring.png') });
  assert.deepEqual(errors, []);
});

test('Support bundle… saves the zip where the dialog says and lists each host, naming one not reached', async (t) => {
  const { page, errors } = await wizard(t, { failHost: 'peter-kafka002', picks: ['/tmp/b/my-kafka-support.zip'] });
  await seedHosts(page);
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-support-bundle').click();
  await page.locator('#bundle-result').waitFor();
  const [asked] = await picksOf(page);
  assert.equal(asked.mode, 'save');
  assert.match(asked.file_name, /-support-20261202T010203\.zip$/, 'the engine\'s suggested name');
  assert.deepEqual(asked.filter.extensions, ['zip']);
  assert.equal(await page.locator('#bundle-result').getAttribute('data-path'), '/tmp/b/my-kafka-support.zip');
  assert.match(await page.locator('#bundle-result').textContent(), /2 value\(s\) redacted/);
  assert.match(await page.locator('li[data-bundle-host="peter-kafka002"]').textContent(), /not reached — exit 255: mock host down/);
  assert.match(await page.locator('li[data-bundle-host="peter-kafka001"]').textContent(), /9 entries/);
  assert.deepEqual((await page.evaluate(() => window.__MOCK_OPTIONS__.bundleLog)).map((b) => b.out), ['/tmp/b/my-kafka-support.zip']);
  assert.deepEqual(errors, []);
});

test('Manage\'s dashboard marks a stopped broker in its tiles, its row and the live topology, with what to do', async (t) => {
  const { page, errors } = await wizard(t, { statusDownHost: 'peter-kafka002' });
  await seedHosts(page);
  await page.locator('nav [data-step="review"]').click();
  await page.locator('#topology [data-topology-host="peter-kafka001"]').waitFor();
  assert.equal(await page.locator('#topology [data-topology-host]').count(), 3, 'Review: every host in the picture');
  assert.equal(await page.locator('#topology [data-state="unknown"]').count(), 3, 'Review: not coloured');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#refresh').click();
  await page.locator('#dashboard').waitFor();
  assert.equal(await page.locator('[data-tile="brokers"] .value').textContent(), '2/3');
  assert.match(await page.locator('[data-tile="brokers"]').getAttribute('class'), /bad/);
  assert.equal(await page.locator('[data-tile="under-replicated"] .value').textContent(), '2');
  assert.match(await page.locator('#dash-brokers tr[data-broker="2"]').getAttribute('class'), /down/);
  assert.match(await page.locator('#dash-brokers tr[data-broker="2"] td.disks').textContent(), /did not answer/);
  assert.equal(await page.locator('#topology-live [data-topology-host="peter-kafka002"]').getAttribute('data-state'), 'down');
  assert.equal(await page.locator('#topology-live [data-topology-host="peter-kafka001"]').getAttribute('data-state'), 'ok');
  assert.match(await page.locator('#dash-problems li .fix').textContent(), /start it: kafka-wizard start FILE/);
  await page.screenshot({ path: path.join(SHOTS, 'browser-manage-dashboard.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('after a restart its run log is saved with Save log…, and the Runs list shows each run with how it ended', async (t) => {
  const { page, errors } = await wizard(t, { picks: ['/tmp/logs/restart.jsonl', '/tmp/logs/stop.jsonl'] });
  await seedHosts(page);
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-restart').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  await page.locator('#op-stop').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#save-log').waitFor();
  await page.locator('#save-log').click();
  await page.locator('#save-log-result').waitFor();
  assert.match(await page.locator('#save-log-result').textContent(), /\/tmp\/logs\/restart\.jsonl/);
  const [asked] = await picksOf(page);
  assert.equal(asked.mode, 'save');
  assert.match(asked.file_name, /^peter-kafka-.*-stop\.jsonl$/, 'the newest run: the stop');
  await page.locator('#runs summary').click();
  await page.locator('#runs tr[data-run]').first().waitFor();
  assert.deepEqual(await page.locator('#runs tr[data-run] td:nth-child(2)').allTextContents(), ['stop', 'restart']);
  assert.deepEqual(await page.locator('#runs tr[data-run] td:nth-child(3)').allTextContents(), ['succeeded', 'succeeded']);
  await page.locator('#save-run-1').click();
  await page.waitForFunction(() => (window.__MOCK_OPTIONS__.savedRunLogs ?? []).length === 2);
  const saved = await page.evaluate(() => window.__MOCK_OPTIONS__.savedRunLogs);
  assert.match(saved[0].file, /-stop\.jsonl$/);
  assert.deepEqual([saved[1].file.endsWith('-restart.jsonl'), saved[1].out], [true, '/tmp/logs/stop.jsonl']);
  assert.equal(await page.locator('#runs[open]').count(), 1, 'the list stays open through the redraws');
  assert.deepEqual(errors, []);
});

test('after an install added a broker, Rebalance is offered; its plan shows the moves and the spread, then runs confirmed with live progress', async (t) => {
  const { page, errors } = await wizard(t, { newBrokers: ['kafka004'], delayMs: 2 });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003\nkafka004');
  await page.locator('nav [data-step="install"]').click();
  await page.locator('#install').click();
  await page.locator('#rebalance-offer').waitFor();
  assert.match(await page.locator('#rebalance-offer').textContent(), /New broker\(s\) kafka004 joined and hold no partitions yet/);
  await page.locator('#rebalance-offer-run').click();
  assert.equal(await page.locator('#step').getAttribute('data-step'), 'manage', 'the offer leads to Manage');
  await page.locator('#reassign-what').waitFor();
  assert.match(await page.locator('#reassign-what').textContent(), /2 partition\(s\) to reassign, 2 replica copy\(ies\) to move, throttled to 50 MB\/s/);
  assert.deepEqual(await page.locator('#reassign li[data-phase]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-phase'))),
    ['throttle', 'reassign', 'clear-throttle', 'elect-leaders']);
  assert.equal(await page.locator('#reassign-spread tr[data-broker="4"] td:nth-child(2)').textContent(), '0 → 2');
  await page.screenshot({ path: path.join(SHOTS, 'browser-rebalance-plan.png') });

  await page.locator('#reassign-throttle').fill('10');
  await page.locator('#reassign-throttle').dispatchEvent('change');
  await page.locator('#reassign-what >> text=throttled to 10 MB/s').waitFor();
  await page.locator('#reassign-run').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /Rebalance .*2 partition\(s\) are reassigned while the cluster keeps serving, replication throttled to 10 MB\/s/);
  await page.locator('#dialog-no').click();
  const asked = () => page.evaluate(() => window.__MOCK_OPTIONS__.reassignLog);
  assert.deepEqual((await asked()).map((r) => r.run), [false, false], 'reading the plan (twice) changes nothing, and No runs nothing');
  await page.locator('#reassign-run').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /Rebalance done: 2 partition\(s\) reassigned, 2 leader\(s\) elected/);
  assert.deepEqual((await asked()).at(-1), { run: true, broker: null, controller: null, throttle_mb: 10, path: null });
  assert.match(await page.locator('#log').textContent(), /reassigned 2 of 2; 0 partition\(s\) still moving/);
  assert.equal(await page.locator('#reassign-overall').evaluate((p) => p.value), 1);
  assert.equal(await page.locator('#rebalance-offer').count(), 0, 'the offer is gone once rebalanced');
  assert.equal(await page.locator('#reassign').count(), 0, 'the plan is closed once it ran');
  assert.deepEqual(errors, []);
});

test('Decommission broker… waits for a saved project, shows the plan, drops the broker from the file and reloads it; a refusal is shown verbatim', async (t) => {
  const cluster = { format: 1, name: 'four', kafka: { version: '4.1.1', mode: 'kraft' },
    hosts: [{ name: 'ctl1', roles: ['controller'], id: 101 }, ...[1, 2, 3].map((i) => ({ name: `kafka00${i}`, roles: ['broker'], id: i }))] };
  const { page, errors } = await wizard(t, { delayMs: 2, picks: ['/srv/four.toml'], files: { '/srv/four.toml': JSON.stringify(cluster) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'four.toml — Kafka Cluster Wizard');
  await page.locator('nav [data-step="storage"]').click();
  await page.locator('input[data-field="kafka.heap"]').fill('2g');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-decommission').click();
  assert.match(await page.locator('#decommission-save-first').textContent(), /Save the project first/);
  assert.equal(await page.locator('#decommission-plan').isDisabled(), true, 'unsaved changes: the file would not match');
  await page.locator('nav [data-step="storage"]').click();
  await page.locator('input[data-field="kafka.heap"]').fill('');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-decommission').click();
  assert.deepEqual(await page.locator('#decommission-broker option').allTextContents(), ['1 — kafka001', '2 — kafka002', '3 — kafka003'], 'the project\'s brokers, not its controller');
  await page.selectOption('#decommission-broker', '2');
  await page.locator('#decommission-plan').click();
  await page.locator('#reassign[data-procedure="decommission"] li[data-phase]').first().waitFor();
  assert.deepEqual(await page.locator('#reassign li[data-phase]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-phase'))),
    ['throttle', 'reassign', 'clear-throttle', 'elect-leaders', 'stop-broker', 'unregister-broker', 'drop-from-project']);
  assert.match(await page.locator('#reassign li[data-phase="drop-from-project"]').textContent(), /remove host kafka002 from the project file/);
  assert.equal(await page.locator('#reassign-spread tr[data-broker="2"] td:nth-child(2)').textContent().then((s) => s.endsWith('→ 0')), true);
  await page.locator('#reassign-run').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /Decommission broker 2 \(kafka002\) of four\?.*removed from \/srv\/four\.toml/);
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result >> text=Broker 2 decommissioned').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /\/srv\/four\.toml no longer lists it/);
  assert.deepEqual((await page.evaluate(() => window.__MOCK_OPTIONS__.reassignLog)).map((r) => [r.run, r.broker, r.path]),
    [[false, 2, '/srv/four.toml'], [true, 2, '/srv/four.toml']]);
  assert.equal(await page.title(), 'four.toml — Kafka Cluster Wizard', 'the project is the file as rewritten, nothing unsaved');
  await page.locator('#op-decommission').click();
  assert.deepEqual(await page.locator('#decommission-broker option').allTextContents(), ['1 — kafka001', '3 — kafka003']);
  await page.locator('#decommission-plan').click();
  await page.locator('#reassign-error').waitFor();
  assert.equal(await page.locator('#reassign-error').getAttribute('data-code'), 'reassign_refused');
  assert.equal(await page.locator('#reassign-error').textContent(),
    'without broker 3 (kafka003) 1 broker(s) remain, too few: orders has replication factor 2 — add a broker first, or lower those topics\' replication — nothing was changed');
  assert.equal(await page.locator('#reassign-run').count(), 0, 'nothing to run');
  assert.deepEqual(errors, []);
});

test('Remove controller… shows the engine\'s plan and warning, removes the controller\'s host from the file and reloads it', async (t) => {
  const cluster = { format: 1, name: 'quorum', kafka: { version: '4.1.1', mode: 'kraft' }, kraft: { quorum: 'dynamic' },
    hosts: [...[1, 2, 3].map((i) => ({ name: `ctl${i}`, roles: ['controller'], id: 100 + i })), { name: 'kafka001', roles: ['broker'], id: 1 }] };
  const { page, errors } = await wizard(t, { delayMs: 2, picks: ['/srv/quorum.toml'], files: { '/srv/quorum.toml': JSON.stringify(cluster) } });
  await page.locator('#step h2').click();
  await page.keyboard.press('Control+o');
  await waitTitle(page, 'quorum.toml — Kafka Cluster Wizard');
  await page.locator('nav [data-step="manage"]').click();
  assert.equal(await page.locator('#op-decommission').count(), 0, 'one broker: nothing to decommission');
  await page.locator('#op-remove-controller').click();
  assert.deepEqual(await page.locator('#remove-controller-id option').allTextContents(), ['101 — ctl1', '102 — ctl2', '103 — ctl3']);
  await page.selectOption('#remove-controller-id', '102');
  await page.locator('#remove-controller-plan').click();
  await page.locator('#reassign[data-procedure="remove_controller"] li[data-phase]').first().waitFor();
  assert.deepEqual(await page.locator('#reassign li[data-phase]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-phase'))),
    ['remove-voter', 'stop-broker', 'drop-from-project', 'quorum-healthy']);
  assert.match(await page.locator('#reassign li[data-phase="remove-voter"]').textContent(), /remove controller 102 \(ctl2\) from the KRaft quorum's voters/);
  assert.match(await page.locator('#reassign-warnings').textContent(), /left with 2 voter\(s\) \(\[101, 103\]\).*no longer tolerates a controller failure/);
  assert.equal(await page.locator('#reassign-throttle').count(), 0, 'nothing moves: no throttle');
  await page.locator('#reassign-run').click();
  assert.match(await page.locator('.overlay .dialog').textContent(), /Remove controller 102 \(ctl2\) from the KRaft quorum of quorum\?.*removed from \/srv\/quorum\.toml/);
  await page.locator('#dialog-yes').click();
  await page.locator('#op-result >> text=Controller 102 removed').waitFor();
  assert.deepEqual((await page.evaluate(() => window.__MOCK_OPTIONS__.reassignLog)).map((r) => [r.run, r.controller, r.broker, r.path]),
    [[false, 102, null, '/srv/quorum.toml'], [true, 102, null, '/srv/quorum.toml']]);
  assert.equal(await page.title(), 'quorum.toml — Kafka Cluster Wizard', 'the project is the file as rewritten, nothing unsaved');
  await page.locator('#op-remove-controller').click();
  assert.deepEqual(await page.locator('#remove-controller-id option').allTextContents(), ['101 — ctl1', '103 — ctl3']);
  assert.deepEqual(errors, []);
});

test('Cancel during a rebalance says the moves asked for go on in Kafka and the next run waits for them', async (t) => {
  const { page, errors } = await wizard(t, { delayMs: 20, holdUntilCancel: true });
  await pasteHosts(page, 'kafka001\nkafka002\nkafka003\nkafka004');
  await page.locator('nav [data-step="manage"]').click();
  await page.locator('#op-rebalance').click();
  await page.locator('#reassign-run').click();
  await page.locator('#dialog-yes').click();
  await page.locator('#log >> text=reassigned 0 of 2').waitFor();
  assert.equal(await page.locator('#op-decommission').isDisabled(), true, 'no other operation while it runs');
  await page.locator('#cancel').click();
  await page.locator('#op-result').waitFor();
  assert.match(await page.locator('#op-result').textContent(), /^Rebalance cancelled — reassignments already asked for continue in the cluster; run it again/);
  assert.deepEqual(errors, []);
});
