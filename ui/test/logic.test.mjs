// logic.test.mjs — headless tests of the wizard's pure logic (compiled from ui/src by `npm run build` into
// build/node): wizard state and draft edits, step order, where problems are shown (the step from the engine's field
// schema), the defaults shown, the progress model fed by engine events, what each native file dialog asks for,
// highlighting, the translations, the deploy preview (diff lines, rows per host), the Security step's logic
// (protection, client users, lists, the CA's dates), Manage's migration to KRaft (what is offered and sent), Manage's Rotate CA… (when it is offered, what it sends, its plan), Manage's Rebalance / Decommission broker… (brokers offered, requests, the plan read, the result, the offer after a deploy), and that the app's bundle holds no mock backend.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as state from '../build/node/state.js';
import * as problems from '../build/node/problems.js';
import * as schema from '../build/node/field-schema.js';
import * as steps from '../build/node/steps/index.js';
import * as progress from '../build/node/progress.js';
import { highlight } from '../build/node/highlight.js';
import * as i18n from '../build/node/i18n.js';
import * as picks from '../build/node/file-picks.js';
import { mockValidate } from '../build/node/mock-backend.js';
import * as diff from '../build/node/diff.js';
import * as security from '../build/node/security.js';
import * as migration from '../build/node/migration.js';
import * as rotate from '../build/node/rotate-ca.js';
import * as reassign from '../build/node/reassign.js';
import * as topology from '../build/node/topology.js';
import * as dashboard from '../build/node/steps/manage-dashboard.js';

const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The engine's field schema as committed (generated from the Rust field definitions). */
const FIELD_SCHEMA = JSON.parse(fs.readFileSync(path.join(UI, 'src', 'generated', 'field-schema.json'), 'utf8'));
schema.useFieldSchema(FIELD_SCHEMA);

const seed = () => ({
  format: 1, name: 'peter-kafka', kafka: { version: '2.8.0', mode: 'zookeeper' }, zookeeper: { chroot: '/peter-kafka' },
  hosts: [
    { name: 'zk1', roles: ['zookeeper'], zookeeper_id: 1 },
    { name: 'k1', roles: ['broker'], id: 1 },
  ],
});

test('a draft edited and then edited back is no longer dirty, and the title says so', () => {
  let s = state.initialState(seed(), '/tmp/peter.toml');
  assert.equal(state.windowTitle(s), 'peter.toml — Kafka Cluster Wizard');
  s = { ...s, draft: state.setField(s.draft, 'kafka.heap', '2g') };
  assert.ok(state.isDirty(s));
  assert.equal(state.windowTitle(s), '● peter.toml — Kafka Cluster Wizard');
  s = { ...s, draft: state.setField(s.draft, 'kafka.heap', '') };
  assert.ok(!state.isDirty(s));
});

test('setting a host field by its path creates what is missing and empty input removes the key', () => {
  let d = state.setField(seed(), 'hosts[1].ssh.port', 2222);
  assert.equal(d.hosts[1].ssh.port, 2222);
  d = state.setField(d, 'hosts[1].rack', 'a');
  assert.equal(state.getField(d, 'hosts[1].rack'), 'a');
  d = state.setField(d, 'hosts[1].id', Number.NaN);
  assert.ok(!('id' in d.hosts[1]));
});

test('a dynamic quorum saves its controllers as its bootstrap controllers once, as the CLI\'s first deploy does', () => {
  const host = (name, roles, id) => ({ name, roles, id });
  const d = {
    format: 1, name: 'q', kafka: { version: '4.1.1', mode: 'kraft' }, kraft: { quorum: 'dynamic' },
    hosts: [host('c3', ['controller'], 13), host('b1', ['broker'], 1), host('c1', ['controller'], 11), host('x', ['controller'])],
  };
  assert.deepEqual(state.bootstrapControllersToSave(d), [11, 13]);
  assert.equal(state.bootstrapControllersToSave({ ...d, kraft: { quorum: 'dynamic', bootstrap_controllers: [11] } }), null, 'saved already');
  assert.equal(state.bootstrapControllersToSave({ ...d, kraft: {} }), null, 'a static quorum has none');
  assert.equal(state.bootstrapControllersToSave({ ...d, hosts: [host('b1', ['broker'], 1)] }), null, 'no controller id yet');
});

test('pasted host names become hosts, skipping blanks and names already present', () => {
  const d = state.pasteHosts(seed(), 'k1\nk2, k3\n\n  k4  \nk2', 'broker');
  assert.deepEqual(d.hosts.map((h) => h.name), ['zk1', 'k1', 'k2', 'k3', 'k4']);
  assert.deepEqual(d.hosts[4].roles, ['broker']);
});

test('auto-numbering gives brokers ids and ensemble members myids in host order', () => {
  const d = state.autoNumber(state.pasteHosts(seed(), 'k2 k3', 'broker'));
  assert.deepEqual(d.hosts.map((h) => [h.name, h.id, h.zookeeper_id]), [['zk1', undefined, 1], ['k1', 1, undefined], ['k2', 2, undefined], ['k3', 3, undefined]]);
});

test('switching to KRaft turns ensemble members into controllers and drops the ZooKeeper section', () => {
  const d = state.setMode(seed(), 'kraft');
  assert.equal(d.zookeeper, undefined);
  assert.deepEqual(d.kraft, {});
  assert.deepEqual(d.hosts[0].roles, ['controller']);
  assert.equal(d.hosts[0].zookeeper_id, undefined);
  assert.deepEqual(state.setMode(d, 'zookeeper').hosts[0].roles, ['zookeeper']);
});

test('data directories reorder and a move past either end changes nothing', () => {
  assert.deepEqual(state.move(['/a', '/b', '/c'], 2, -1), ['/a', '/c', '/b']);
  assert.deepEqual(state.move(['/a', '/b'], 0, -1), ['/a', '/b']);
});

test('steps go forward and back and stop at the ends', () => {
  assert.equal(steps.nextStep('version'), 'hosts');
  assert.equal(steps.previousStep('version'), 'version');
  assert.equal(steps.nextStep('manage'), 'manage');
  assert.deepEqual(steps.STEPS.map((s) => s.id), ['version', 'hosts', 'storage', 'coordination', 'security', 'review', 'install', 'manage']);
});

test('each problem field belongs to the step where it is edited', () => {
  assert.equal(problems.stepOfField('hosts[3].id'), 'hosts');
  assert.equal(problems.stepOfField('hosts[3].data_dirs[0]'), 'storage');
  assert.equal(problems.stepOfField('kafka.data_dirs[1]'), 'storage');
  assert.equal(problems.stepOfField('kafka.mode'), 'version');
  assert.equal(problems.stepOfField('zookeeper.chroot'), 'coordination');
  assert.equal(problems.stepOfField('kraft.cluster_id'), 'coordination');
  assert.equal(problems.stepOfField('ssh.port'), 'hosts');
  assert.equal(problems.stepOfField('hosts[0].ssh.port'), 'hosts');
  assert.equal(problems.stepOfField('kafka.listener_port'), 'storage');
  assert.equal(problems.stepOfField('name'), 'version');
});

test('a field belongs to the step the field schema names for it or for its nearest listed parent, else to Review', () => {
  assert.equal(problems.stepOfField('kafka.properties."num.partitions"'), 'storage', 'a property belongs to kafka.properties');
  assert.equal(problems.stepOfField('hosts[2].rakc'), 'hosts', 'an unknown host key belongs to hosts');
  assert.equal(problems.stepOfField('cluster_wide_mystery'), 'review');
  assert.equal(problems.stepOfField(''), 'review');
  try {
    // the step comes from the schema, not from the UI: move a field and its problems follow
    schema.useFieldSchema(FIELD_SCHEMA.map((f) => (f.path === 'kafka.heap' ? { ...f, step: 'coordination' } : f)));
    assert.equal(problems.stepOfField('kafka.heap'), 'coordination');
    const counts = problems.countByStep([{ severity: 'error', field: 'kafka.heap', message: 'x', message_ko: 'x' }]);
    assert.deepEqual([...counts], [['coordination', { errors: 1, warnings: 0 }]]);
    schema.useFieldSchema([]);
    assert.equal(problems.stepOfField('kafka.heap'), 'review', 'no schema: nothing is placed');
  } finally {
    schema.useFieldSchema(FIELD_SCHEMA);
  }
});

test('an empty field shows the schema\'s default, else its example, for any index', () => {
  assert.equal(schema.schemaPath('hosts[3].data_dirs[10]'), 'hosts[].data_dirs[]');
  assert.equal(schema.placeholderOf('kafka.listener_port'), '9092');
  assert.equal(schema.placeholderOf('hosts[7].name'), 'kafka001', 'no default: the example');
  assert.equal(schema.defaultOf('hosts[7].name'), undefined);
  assert.equal(schema.placeholderOf('hosts[0].rack'), undefined, 'neither: nothing');
  assert.equal(schema.placeholderOf('kafka.properties."x"'), undefined, 'a parent\'s default is not the field\'s');
});

test('the schema gives the defaults and examples the wizard showed before it read them from the engine', () => {
  const shown = {
    name: 'peter-kafka', 'hosts[0].name': 'kafka001', 'hosts[0].address': '10.0.0.11', 'ssh.user': 'root', 'ssh.port': '22',
    'ssh.identity_file': '~/.ssh/id_ed25519', 'ssh.known_hosts': '~/.ssh/known_hosts', 'kafka.install_dir': '/opt',
    'kafka.config_dir': '/etc/kafka', 'kafka.log_dir': '/var/log/kafka', 'kafka.user': 'kafka', 'kafka.heap': '1g',
    'kafka.listener_port': '9092', 'kafka.data_dirs': '/var/lib/kafka/data', 'kraft.controller_port': '9093',
    'zookeeper.client_port': '2181', 'zookeeper.quorum_port': '2888', 'zookeeper.election_port': '3888',
    'zookeeper.data_dir': '/var/lib/zookeeper', 'zookeeper.log_dir': '/var/log/zookeeper', 'zookeeper.heap': '512m',
    'zookeeper.tick_time': '2000', 'zookeeper.init_limit': '10', 'zookeeper.sync_limit': '5',
  };
  for (const [field, text] of Object.entries(shown)) assert.equal(schema.placeholderOf(field), text, field);
});

test('the Hosts step offers controller in ZooKeeper mode only where the release migrates to KRaft or a host has it', async () => {
  const hosts = await import('../build/node/steps/hosts.js');
  assert.deepEqual(hosts.offeredRoles(true, false, []), ['broker', 'controller']);
  assert.deepEqual(hosts.offeredRoles(false, true, []), ['broker', 'zookeeper', 'controller']);
  assert.deepEqual(hosts.offeredRoles(false, false, [{ name: 'a', roles: ['zookeeper'] }]), ['broker', 'zookeeper']);
  assert.deepEqual(hosts.offeredRoles(false, false, [{ name: 'a', roles: ['controller'] }]), ['broker', 'zookeeper', 'controller']);
});

test('the paste box\'s example names count on from the schema\'s example host name', async () => {
  const hosts = await import('../build/node/steps/hosts.js');
  assert.deepEqual(hosts.exampleNames('kafka001', 3), ['kafka001', 'kafka002', 'kafka003']);
  assert.deepEqual(hosts.exampleNames('node9', 2), ['node9', 'node10']);
  assert.deepEqual(hosts.exampleNames('broker', 3), ['broker']);
  assert.deepEqual(hosts.exampleNames(undefined, 3), []);
});

test('the app\'s bundle holds no mock backend; the browser tests\' bundle does', () => {
  const app = fs.readFileSync(path.join(UI, 'public', 'js', 'app.js'), 'utf8');
  const withMock = fs.readFileSync(path.join(UI, 'build', 'browser', 'js', 'app.js'), 'utf8');
  // strings only the mock has: its fake host key fingerprint, its scripted failure, its options' global
  for (const only of ['SHA256:mockmockmock', 'exit 1: mock failure', '__MOCK_OPTIONS__']) {
    assert.ok(withMock.includes(only), `the test bundle has ${only}`);
    assert.ok(!app.includes(only), `the app's bundle has ${only}`);
  }
  assert.ok(app.includes("'field_schema'") || app.includes('"field_schema"'), 'the app\'s bundle asks the engine for the schema');
});

test('a problem is shown at its own field, else at the nearest parent on screen, else in the summary', () => {
  const on = new Set(['hosts[3].id', 'hosts', 'kafka.data_dirs']);
  assert.equal(problems.anchorFor('hosts[3].id', on), 'hosts[3].id');
  assert.equal(problems.anchorFor('hosts[3].zookeeper_id', on), 'hosts');
  assert.equal(problems.anchorFor('kafka.data_dirs[2]', on), 'kafka.data_dirs');
  assert.equal(problems.anchorFor('zookeeper.chroot', on), null);
  const placed = problems.placeProblems([{ severity: 'error', field: 'name', message: 'x' }, { severity: 'warning', field: 'hosts', message: 'even' }], on);
  assert.equal(placed.get('').length, 1);
  assert.equal(placed.get('hosts')[0].severity, 'warning');
});

test('engine events drive each target row, the byte bar, failures and the log', () => {
  const wizard = progress.WIZARD;
  const h = progress.hostTarget;
  let p = progress.emptyProgress([wizard, h('h1'), h('h2')]);
  const events = [
    { event: 'phase_started', phase: 'fetch', title: 'Download', targets: [wizard] },
    { event: 'step_started', target: wizard, step: 'fetch release' },
    { event: 'progress', target: wizard, step: 'fetch release', done: 50, total: 200 },
  ];
  for (const e of events) p = progress.reduce(p, e);
  assert.equal(progress.rowOf(p, wizard).state, 'working');
  assert.equal(progress.bytesFraction(progress.rowOf(p, wizard)), 0.25);
  p = progress.reduce(p, { event: 'step_finished', target: wizard, step: 'fetch release', outcome: { outcome: 'changed', detail: 'downloaded' } });
  p = progress.reduce(p, { event: 'phase_finished', phase: 'fetch' });
  p = progress.reduce(p, { event: 'step_started', target: h('h2'), step: 'check java' });
  p = progress.reduce(p, { event: 'step_failed', target: h('h2'), step: 'check java', error: 'java 8 is too old' });
  p = progress.reduce(p, { event: 'step_started', target: h('h2'), step: 'later step' });
  assert.equal(progress.rowOf(p, wizard).state, 'done');
  assert.equal(progress.rowOf(p, h('h2')).state, 'failed', 'a failed host stays failed');
  assert.deepEqual(progress.failedHosts(p), ['h2']);
  assert.equal(progress.overall(p, 4), 0.25);
  assert.ok(p.log.some((l) => l.kind === 'error' && l.text.includes('java 8 is too old')));
  assert.equal(progress.rowOf(p, h('h1')).state, 'waiting');
});

test('a host named local has its own row, apart from the wizard machine', () => {
  const wizard = progress.WIZARD;
  let p = progress.emptyProgress([wizard, progress.hostTarget('local')]);
  p = progress.reduce(p, { event: 'step_started', target: wizard, step: 'fetch release' });
  p = progress.reduce(p, { event: 'step_failed', target: progress.hostTarget('local'), step: 'probe facts', error: 'no systemd' });
  assert.equal(p.hosts.size, 2);
  assert.equal(progress.rowOf(p, wizard).state, 'working');
  assert.equal(progress.rowOf(p, progress.hostTarget('local')).state, 'failed');
  assert.deepEqual(progress.failedHosts(p), ['local']);
});

test('a run that ends early marks the rows still working as stopped, and only those', () => {
  const wizard = progress.WIZARD;
  const h = progress.hostTarget;
  let p = progress.emptyProgress([wizard, h('h1'), h('h2')]);
  p = progress.reduce(p, { event: 'step_started', target: wizard, step: 'fetch release' });
  p = progress.reduce(p, { event: 'progress', target: wizard, step: 'fetch release', done: 5, total: 200 });
  p = progress.reduce(p, { event: 'step_started', target: h('h1'), step: 'probe facts' });
  p = progress.reduce(p, { event: 'step_finished', target: h('h1'), step: 'probe facts', outcome: { outcome: 'unchanged', reason: 'debian 12' } });
  p = progress.stopped(p);
  assert.deepEqual([...p.hosts.values()].map((r) => r.state), ['stopped', 'done', 'waiting']);
  assert.equal(progress.bytesFraction(progress.rowOf(p, wizard)), 5 / 200, 'the bar stays where the download stopped');
  assert.deepEqual(progress.failedHosts(p), []);
});

test('the sudo box shows the engine default for the user and stores only a departure from it', async () => {
  const hosts = await import('../build/node/steps/hosts.js');
  assert.equal(hosts.effectiveSudo({}), false, 'root needs no sudo');
  assert.equal(hosts.effectiveSudo({ user: 'deploy' }), true, 'other users get sudo by default');
  assert.equal(hosts.effectiveSudo({ user: 'deploy', sudo: false }), false);
  assert.equal(hosts.sudoSetting({ user: 'deploy' }, true), undefined);
  assert.equal(hosts.sudoSetting({ user: 'deploy' }, false), false);
  assert.equal(hosts.sudoSetting({}, true), true);
});

test('a host is reached through its own jump host, none when it says "none", else the project\'s', async () => {
  const hosts = await import('../build/node/steps/hosts.js');
  assert.equal(hosts.effectiveJump({}, undefined), null, 'no jump host anywhere: directly');
  assert.equal(hosts.effectiveJump({ jump: 'ops@bastion:22' }, undefined), 'ops@bastion:22');
  assert.equal(hosts.effectiveJump({ jump: 'ops@bastion:22' }, { jump: 'ops@other' }), 'ops@other');
  assert.equal(hosts.effectiveJump({ jump: 'ops@bastion:22' }, { jump: hosts.NO_JUMP }), null);
  assert.equal(hosts.effectiveJump({}, { user: 'deploy' }), null);
});

test('the exporter box shows the draft\'s setting, else the engine\'s default (off), and stores only a departure from it', async () => {
  const storage = await import('../build/node/steps/storage.js');
  assert.equal(storage.exporterOn(seed()), false, 'a file without [monitoring] has no exporter');
  assert.equal(storage.exporterOn({ ...seed(), monitoring: { prometheus: true } }), true);
  assert.equal(storage.exporterSetting(true), true);
  assert.equal(storage.exporterSetting(false), undefined);
  assert.equal(schema.placeholderOf('monitoring.kafka_port'), '7071');
  assert.equal(problems.stepOfField('monitoring.zookeeper_port'), 'storage', 'its problems count on the step that edits it');
});

test('unchanged steps are logged with their reason', () => {
  const h1 = progress.hostTarget('h1');
  const p = progress.reduce(progress.emptyProgress([h1]), { event: 'step_finished', target: h1, step: 'write x', outcome: { outcome: 'unchanged', reason: 'already matches' } });
  assert.equal(progress.rowOf(p, h1).unchanged, 1);
  assert.match(p.log[0].text, /already matches/);
});

test('highlighting escapes the file content and marks keys, values and comments', () => {
  const html = highlight('# a <comment>\nbroker.id=1\n[Unit]\nplain & text');
  assert.match(html, /<span class="hl-comment"># a &lt;comment&gt;<\/span>/);
  assert.match(html, /<span class="hl-key">broker.id<\/span>=<span class="hl-value">1<\/span>/);
  assert.match(html, /hl-section">\[Unit\]/);
  assert.match(html, /plain &amp; text/);
});

test('Korean is chosen from a Korean locale and every text has a translation', () => {
  assert.equal(i18n.langFromLocale('ko-KR'), 'ko');
  assert.equal(i18n.langFromLocale('en-US'), 'en');
  assert.equal(i18n.langFromLocale(undefined), 'en');
  assert.deepEqual(i18n.missingKorean(), []);
  i18n.setLang('ko');
  assert.equal(i18n.t('step.hosts'), '호스트와 ID');
  assert.equal(i18n.t('problems.count', { e: 2, w: 1 }), '오류 2개, 경고 1개');
  i18n.setLang('en');
});

test('Save As suggests the project name as a .toml file in the folder of the current file', () => {
  const req = picks.saveProjectPick(seed(), '/home/op/clusters/old-name.toml', []);
  assert.equal(req.mode, 'save');
  assert.equal(req.file_name, 'peter-kafka.toml');
  assert.equal(req.directory, '/home/op/clusters');
  assert.deepEqual(req.filter.extensions, ['toml']);
  assert.equal(req.title, 'Save the project as');
  const unnamed = picks.saveProjectPick({ ...seed(), name: ' a/b: c ' }, null, []);
  assert.equal(unnamed.file_name, 'a-b- c.toml', 'characters a file name cannot hold are replaced');
  assert.equal(unnamed.directory, undefined, 'no file and no recent project: the dialog picks its own folder');
  assert.equal(picks.saveProjectPick({ ...seed(), name: undefined }, null, []).file_name, 'cluster.toml');
});

test('Open lists project files and starts in the folder of the current or most recent project', () => {
  const req = picks.openProjectPick(null, ['/srv/k/recent.toml', '/tmp/older.toml']);
  assert.deepEqual(req, { mode: 'open', title: 'Open a project', filter: { name: 'Cluster projects (*.toml)', extensions: ['toml'] }, directory: '/srv/k' });
  assert.equal(picks.openProjectPick('/a/b.toml', ['/srv/k/recent.toml']).directory, '/a');
  assert.equal(picks.folderOf('/top.toml'), '/');
  assert.equal(picks.folderOf('bare.toml'), '.');
});

test('Export picks a folder, or a .zip file named after the project', () => {
  const folder = picks.exportPick('folder', seed(), '/work/p.toml', []);
  assert.deepEqual(folder, { mode: 'folder', title: 'Export to a folder', directory: '/work' });
  const zip = picks.exportPick('zip', seed(), '/work/p.toml', []);
  assert.equal(zip.mode, 'save');
  assert.equal(zip.file_name, 'peter-kafka-export.zip');
  assert.deepEqual(zip.filter.extensions, ['zip']);
});

test('a problem is read in the UI language: its Korean message in Korean mode, the English one otherwise', () => {
  const p = { severity: 'error', field: 'hosts[1].id', message: '1 is also the id of hosts[0]', message_ko: '1은(는) hosts[0]의 id이기도 합니다' };
  assert.equal(problems.problemMessage(p, 'en'), p.message);
  assert.equal(problems.problemMessage(p, 'ko'), p.message_ko);
  i18n.setLang('ko');
  try {
    assert.equal(problems.problemMessage(p), p.message_ko, 'the current language is the default');
  } finally {
    i18n.setLang('en');
  }
  assert.equal(problems.problemMessage(p), p.message);
  // like the engine, the mock backend writes every problem, errors and warnings, in both languages
  const d = seed();
  d.name = '';
  d.hosts = [...d.hosts, { name: '', roles: ['broker', 'zookeeper'], id: 1 }];
  const found = mockValidate(d);
  assert.ok(found.some((q) => q.severity === 'warning') && found.some((q) => q.severity === 'error'), JSON.stringify(found));
  for (const q of found) assert.match(q.message_ko, /[\uAC00-\uD7A3]/, q.message);
});

// The engine's diff of one changed line (src/apply/preview.rs: `unified_diff`, 3 lines of context).
const ENGINE_DIFF = '--- h4:/etc/kafka/server.properties (on the host)\n+++ h4:/etc/kafka/server.properties (generated)\n'
  + '@@ -7,7 +7,7 @@\n line.7=x\n line.8=x\n line.9=x\n-line.10=x\n+line.10=y\n line.11=x\n line.12=x\n line.13=x\n';

test('a unified diff is split into header, hunk, removed, added and context lines', () => {
  const lines = diff.diffLines(ENGINE_DIFF);
  assert.deepEqual(lines.map((l) => l.kind), ['head', 'head', 'hunk', 'ctx', 'ctx', 'ctx', 'del', 'add', 'ctx', 'ctx', 'ctx']);
  assert.deepEqual(lines.filter((l) => l.kind === 'add' || l.kind === 'del').map((l) => l.text), ['-line.10=x', '+line.10=y']);
  assert.deepEqual(diff.diffStat(ENGINE_DIFF), { added: 1, removed: 1 });
  // a removed line that reads like a header, inside a hunk, is still a removed line
  assert.deepEqual(diff.diffLines('--- a\n+++ b\n@@ -1 +1 @@\n--- x\n+++ y\n').map((l) => l.kind), ['head', 'head', 'hunk', 'del', 'add']);
  assert.deepEqual(diff.diffLines(''), []);
});

test('preview rows are grouped per target: changed files with diffs, services that would restart, other changes', () => {
  const host = (name) => ({ on: 'host', name });
  const rows = [
    { phase: 'fetch', target: { on: 'wizard' }, step: 'download kafka', change: false, detail: 'not needed' },
    { phase: 'configure', target: host('h1'), step: 'write /etc/kafka/server.properties', change: true, detail: 'updated', diff: ENGINE_DIFF },
    { phase: 'configure', target: host('h1'), step: 'write /etc/kafka/kafka-server.env', change: false, detail: 'content is up to date' },
    { phase: 'prepare', target: host('h1'), step: 'create directories /data', change: true, detail: 'created /data' },
    { phase: 'start-brokers', target: host('h1'), step: 'start kafka-server.service', change: true, detail: 'restart, one host at a time (server.properties changed)' },
    { phase: 'start-brokers', target: host('h2'), step: 'start kafka-server.service', change: false, detail: 'running, configuration unchanged' },
    { phase: 'start-brokers', target: { on: 'wizard' }, step: 'brokers in one cluster', change: false, detail: 'check the cluster\'s health' },
  ];
  const phases = [
    { name: 'configure', title: 'Configure', work: { work: 'on_hosts', hosts: [] } },
    { name: 'start-brokers', title: 'Start the brokers', work: { work: 'start', service: 'kafka-server.service', hosts: ['h1', 'h2'], health: [] } },
  ];
  const byTarget = diff.previewByTarget(rows, phases);
  assert.deepEqual(byTarget.map((t) => t.target), [{ on: 'wizard' }, host('h1'), host('h2')]);
  const h1 = byTarget[1];
  assert.deepEqual(h1.files.map((r) => r.step), ['write /etc/kafka/server.properties']);
  assert.deepEqual(h1.services.map((r) => r.detail), ['restart, one host at a time (server.properties changed)']);
  assert.deepEqual(h1.other.map((r) => r.step), ['create directories /data']);
  assert.equal(h1.unchanged, 1);
  assert.deepEqual([byTarget[2].services.length, byTarget[2].unchanged], [0, 1]);
  assert.equal(diff.changeCount(rows), 3);
});

test('security fields and provided host certificates belong to the Security step', () => {
  for (const f of ['security', 'security.protocol', 'security.users[2]', 'security.acls[1].operations', 'hosts[4].tls_cert', 'hosts[0].tls_key']) {
    assert.equal(problems.stepOfField(f), 'security', f);
  }
  assert.equal(schema.placeholderOf('security.admin_user'), 'admin');
});

test('the protection is the section\'s protocol, the engine\'s default within a section, and plaintext without one', () => {
  assert.equal(security.protectionOf(seed()), 'plaintext');
  assert.equal(security.protectionOf({ ...seed(), security: {} }), 'sasl_ssl');
  assert.equal(security.protectionOf({ ...seed(), security: { protocol: 'ssl' } }), 'ssl');
  assert.equal(security.protectionOf({ ...seed(), security: { protocol: 'plaintext', users: ['a'] } }), 'plaintext');
});

test('a client config can be written for the admin (its default name when left out) and each application user', () => {
  assert.deepEqual(security.clientUsers(seed()), [], 'plaintext: none');
  assert.deepEqual(security.clientUsers({ ...seed(), security: { users: ['orders-app', 'billing'] } }), ['admin', 'orders-app', 'billing']);
  assert.deepEqual(security.clientUsers({ ...seed(), security: { admin_user: 'root-ops', users: ['root-ops'] } }), ['root-ops']);
  assert.deepEqual(security.clientUsers({ ...seed(), security: { protocol: 'plaintext', users: ['a'] } }), []);
});

test('users and operations typed into a box become lists, and an empty box leaves the key out', () => {
  assert.deepEqual(security.parseList('orders-app\n billing, audit  '), ['orders-app', 'billing', 'audit']);
  assert.equal(security.parseList(' \n, '), undefined);
  const d = state.setField(seed(), 'security.acls', [{ user: 'a', resource: 'topic', operations: ['read'] }]);
  assert.deepEqual(state.setField(d, 'security.acls[0].operations', security.parseList('write, describe')).security.acls[0].operations, ['write', 'describe']);
  assert.ok(!('name' in state.setField(d, 'security.acls[0].name', '').security.acls[0]));
});

test('the CA\'s expiry is shown as a UTC date and a CA within 30 days of it is flagged', () => {
  const info = { source: 'generate', path: '/s.toml', subject: 'CN=x', sha256_fingerprint: 'AB:CD', not_before: 0, not_after: 2111875200 };
  assert.equal(security.utcDate(info.not_after), '2036-12-03');
  assert.ok(!security.expiresSoon(info, Date.UTC(2026, 10, 30)));
  assert.ok(security.expiresSoon(info, Date.UTC(2036, 10, 20)));
});

test('Client config… picks a folder named for the user, starting near the project', () => {
  const r = picks.clientConfigPick('orders-app', '/home/a/prod/p.toml', []);
  assert.equal(r.mode, 'folder');
  assert.equal(r.directory, '/home/a/prod');
  assert.ok(r.title.includes('orders-app'), r.title);
});

/** The migrating fixture's shape: ZooKeeper mode, each ensemble member also a KRaft controller. */
const migrating = () => ({
  format: 1, name: 'migrating', kafka: { version: '3.9.1', mode: 'zookeeper' }, zookeeper: { chroot: '/migrating' }, kraft: { controller_port: 9093 },
  hosts: [
    { name: 'zk1', roles: ['zookeeper', 'controller'], zookeeper_id: 1, id: 101 },
    { name: 'kafka1', roles: ['broker'], id: 1 },
  ],
});

test('the migration buttons show only for a ZooKeeper-mode project with controller hosts', () => {
  const saved = (draft) => state.initialState(draft, '/srv/migrating.toml');
  assert.deepEqual(migration.migrationOffer(saved(migrating()), 'kraft'), { advance: true, finalize: true, rollback: true, rewriteHeld: null });
  assert.deepEqual(migration.migrationOffer(saved(seed()), 'zookeeper'), { advance: false, finalize: false, rollback: false, rewriteHeld: null }, 'no controller: a plain ZooKeeper cluster');
  const kraft = { ...migrating(), kafka: { version: '3.9.1', mode: 'kraft' } };
  assert.ok(!migration.migrationOffer(saved(kraft), 'kraft').advance, 'a KRaft project has controllers and nothing to migrate');
  const unset = { ...migrating(), kafka: { version: '3.9.1' } };
  assert.ok(migration.migrationOffer(saved(unset), 'zookeeper').advance, 'the release default decides when the file names no mode');
  assert.ok(!migration.migrationOffer(saved(unset), 'kraft').advance);
});

test('Finalize migration and Roll back migration wait for the project to be saved, since they rewrite the file', () => {
  assert.equal(migration.migrationOffer(state.initialState(migrating(), null), null).rewriteHeld, 'unsaved', 'no file yet');
  let s = state.initialState(migrating(), '/srv/migrating.toml');
  s = { ...s, draft: state.setField(s.draft, 'kafka.heap', '2g') };
  const offer = migration.migrationOffer(s, null);
  assert.equal(offer.rewriteHeld, 'unsaved', 'unsaved changes');
  assert.ok(offer.advance, 'moving on up to the reversible end writes no file');
});

test('each migration button sends the session options with how far to move the migration', () => {
  const base = { password: 'pw', install_java: true };
  assert.deepEqual(migration.migrateOptions(base, 'advance'), { password: 'pw', install_java: true, migrate: 'advance' });
  assert.deepEqual(migration.migrateOptions(base, 'finalize'), { password: 'pw', install_java: true, migrate: 'finalize' });
  assert.deepEqual(migration.migrateOptions(base, 'rollback'), { password: 'pw', install_java: true, migrate: 'rollback' });
  assert.equal(base.migrate, undefined, 'the session options are not changed');
});

test('a run that moved a migration hands its report on with the project file; other runs hand on nothing', () => {
  const summary = { changed: 1, unchanged: 0, uploaded: {}, started: [], backups: {}, new_brokers: [] };
  const report = { stage: 'finalized', cluster_id: 'MkU3OEVBNTcwNTJENDM2Qg' };
  assert.deepEqual(migration.migrationToFinish({ ...summary, migration: report }, '/srv/migrating.toml'), report);
  assert.equal(migration.migrationToFinish(summary, '/srv/migrating.toml'), null);
  assert.equal(migration.migrationToFinish({ ...summary, migration: report }, null), null, 'no file to rewrite');
  const rolledBack = { stage: 'brokers_on_kraft', cluster_id: 'MkU3OEVBNTcwNTJENDM2Qg', rolled_back: true };
  assert.deepEqual(migration.migrationToFinish({ ...summary, migration: rolledBack }, '/srv/migrating.toml'), rolledBack);
});

test('Rotate CA… is offered for a secured project whose CA the wizard generates, the engine\'s default in a [security] section', () => {
  assert.ok(rotate.rotationOffered({ ...seed(), security: {} }), 'a section with its defaults: sasl_ssl, generate');
  assert.ok(rotate.rotationOffered({ ...seed(), security: { protocol: 'ssl', ca: 'generate' } }));
  assert.ok(!rotate.rotationOffered({ ...seed(), security: { ca: 'provided' } }), 'a provided CA is rotated by its owner');
  assert.ok(!rotate.rotationOffered({ ...seed(), security: { protocol: 'plaintext' } }));
  assert.ok(!rotate.rotationOffered(seed()), 'no section: plaintext');
  const base = { password: 'pw' };
  assert.deepEqual(rotate.rotateOptions(base), { password: 'pw', rotate_ca: true });
  assert.equal(base.rotate_ca, undefined, 'the session options are not changed');
});

test('a rotation preview is read as its three passes in order, each node\'s row, the passes left, and the other changes', () => {
  const host = (name) => ({ on: 'host', name });
  const rows = [
    { phase: 'configure', target: host('k1'), step: 'write /etc/kafka/server.properties', change: true, detail: 'updated' },
    { phase: 'configure', target: host('k2'), step: 'write /etc/kafka/kafka-server.env', change: false, detail: 'content is up to date' },
    { phase: 'ca-drop-old', target: host('k1'), step: 'drop', change: true, detail: 'to do' },
    { phase: 'ca-trust-both', target: host('k1'), step: 'trust both', change: false, detail: 'already done' },
    { phase: 'ca-trust-both', target: host('k2'), step: 'trust both', change: false, detail: 'already done' },
    { phase: 'ca-new-certificates', target: host('k1'), step: 'new certs', change: true, detail: 'to do' },
  ];
  const plan = rotate.rotationPlan(rows);
  assert.deepEqual(plan.passes.map((p) => [p.phase, p.step, p.nodes.map((n) => n.host)]), [
    ['ca-trust-both', 'trust both', ['k1', 'k2']], ['ca-new-certificates', 'new certs', ['k1']], ['ca-drop-old', 'drop', ['k1']],
  ]);
  assert.equal(plan.toRun, 2, 'the pass already done on every node is not run again');
  assert.equal(plan.otherChanges, 1, 'an unchanged file is no change');
  assert.deepEqual(rotate.rotationPlan([]), { passes: [], toRun: 0, otherChanges: 0 });
});

test('the topology puts the ensemble on top with links between its members and from each broker, with the ports each host listens on', () => {
  const draft = { format: 1, name: 'c', kafka: { version: '3.9.1', mode: 'zookeeper', listener_port: 9094 }, zookeeper: { client_port: 2182 },
    hosts: [{ name: 'zk1', roles: ['zookeeper'] }, { name: 'zk2', roles: ['zookeeper'] }, { name: 'zk3', roles: ['zookeeper'] }, { name: 'k1', roles: ['broker'] }, { name: 'k2', roles: ['broker'] }] };
  const m = topology.topologyModel(draft, null);
  assert.deepEqual(m.boxes.map((b) => [b.host, b.row]), [['zk1', 0], ['zk2', 0], ['zk3', 0], ['k1', 1], ['k2', 1]]);
  assert.deepEqual(m.boxes[0].ports, ['zookeeper :2182/2888/3888']);
  assert.deepEqual(m.boxes[3].ports, ['broker :9094']);
  assert.equal(m.links.filter((l) => l.kind === 'quorum').length, 3, 'three members: three pairs');
  assert.equal(m.links.filter((l) => l.kind === 'registers').length, 6, 'each broker to each member');
  assert.ok(m.boxes.every((b) => b.state === 'unknown'), 'no status read: unknown');
  const combined = { format: 1, name: 'c', kafka: { version: '4.1.1' }, hosts: [1, 2, 3].map((i) => ({ name: `n${i}`, roles: ['broker', 'controller'] })) };
  const k = topology.topologyModel(combined, null);
  assert.ok(k.boxes.every((b) => b.row === 0 && b.ports.length === 2), JSON.stringify(k.boxes));
  assert.deepEqual(k.links.map((l) => l.kind), ['quorum', 'quorum', 'quorum'], 'combined nodes: the quorum only');
});

test('a host is coloured from the status: running and in the cluster, running but out of it, down, or not read', () => {
  const unit = (active) => ({ unit: 'kafka-server.service', enabled: 'enabled', active });
  const status = { hosts: [
    { host: 'a', roles: ['broker'], units: [unit('active')], listening: true, in_cluster: true, error: null },
    { host: 'b', roles: ['broker'], units: [unit('active')], listening: true, in_cluster: false, error: null },
    { host: 'c', roles: ['broker'], units: [unit('inactive')], listening: false, in_cluster: false, error: null },
    { host: 'd', roles: ['broker'], units: null, listening: null, in_cluster: null, error: 'connection refused' },
  ], checks: [], healthy: false };
  assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((h) => topology.hostState(status, h)), ['ok', 'degraded', 'down', 'down', 'unknown']);
});

test('the dashboard splits an engine problem into the finding and what to do, and prints sizes in binary units', () => {
  assert.deepEqual(dashboard.problemParts('no broker answered a Metadata request (refused) — start the brokers: kafka-wizard start FILE'),
    { what: 'no broker answered a Metadata request (refused)', fix: 'start the brokers: kafka-wizard start FILE' });
  assert.deepEqual(dashboard.problemParts('plain'), { what: 'plain', fix: null });
  assert.deepEqual([0, 1023, 1536, 5 * 1024 ** 3].map(dashboard.bytes), ['0 B', '1023 B', '1.5 KiB', '5.0 GiB']);
});

test('Decommission broker… offers the project\'s brokers by id and waits for a saved, unchanged project', () => {
  const draft = { format: 1, name: 'c', kafka: { version: '4.1.1' }, hosts: [
    { name: 'k3', roles: ['broker'], id: 3 }, { name: 'ctl', roles: ['controller'], id: 100 }, { name: 'k1', roles: ['broker', 'controller'], id: 1 }, { name: 'new', roles: ['broker'] }] };
  assert.deepEqual(reassign.brokerChoices(draft), [{ id: 1, host: 'k1' }, { id: 3, host: 'k3' }], 'brokers with an id, a controller-only host is none');
  const saved = { ...state.initialState(draft, '/srv/c.toml') };
  assert.equal(reassign.decommissionHeld(saved), false);
  assert.equal(reassign.decommissionHeld({ ...saved, draft: { ...draft, name: 'd' } }), true, 'unsaved changes');
  assert.equal(reassign.decommissionHeld(state.initialState(draft, null)), true, 'no file yet');
});

test('Remove controller… offers only a dynamic quorum\'s dedicated controllers, and only while another controller remains', () => {
  const hosts = [{ name: 'c1', roles: ['controller'], id: 11 }, { name: 'k1', roles: ['broker', 'controller'], id: 1 },
    { name: 'c2', roles: ['controller'], id: 12 }, { name: 'k2', roles: ['broker'], id: 2 }, { name: 'c3', roles: ['controller'] }];
  const draft = (quorum, hs = hosts) => ({ format: 1, name: 'c', kafka: { version: '4.1.1' }, kraft: quorum ? { quorum } : undefined, hosts: hs });
  assert.deepEqual(reassign.controllerChoices(draft('dynamic')), [{ id: 11, host: 'c1' }, { id: 12, host: 'c2' }],
    'dedicated controllers with an id; a combined node is not offered (the engine refuses it)');
  assert.deepEqual(reassign.controllerChoices(draft('static')), [], 'a static quorum cannot change its voters');
  assert.deepEqual(reassign.controllerChoices(draft(undefined)), [], 'no kraft.quorum: static');
  assert.deepEqual(reassign.controllerChoices(draft('dynamic', hosts.slice(0, 1))), [], 'the only controller stays');
  assert.deepEqual(reassign.removeControllerRequest(12, '/srv/c.toml'), { controller: 12, path: '/srv/c.toml' });
  assert.deepEqual(reassign.removeControllerRequest(12, null), { controller: 12 });
  const removed = { procedure: { kind: 'remove_controller', controller: 12 }, phases: [], before: [], after: [], warnings: [] };
  assert.equal(reassign.doneLine({ plan: removed, resumed: 0, elected: 0, brokers: [], project: null }, '/srv/c.toml'),
    'Controller 12 removed: it left the quorum, its service is stopped and disabled, and /srv/c.toml no longer lists it.');
});

test('a rebalance sends no broker and no file; a decommission sends both; a throttle below 1 MB/s is left to the default', () => {
  assert.deepEqual(reassign.reassignRequest(null, null, '/srv/c.toml'), {});
  assert.deepEqual(reassign.reassignRequest(null, 10.7, null), { throttle_mb: 10 });
  assert.deepEqual(reassign.reassignRequest(4, 0, '/srv/c.toml'), { broker: 4, path: '/srv/c.toml' });
});

const reassignPlan = (phases, procedure = { kind: 'rebalance' }) => ({ procedure, phases,
  before: [{ broker: 1, replicas: 4, leaders: 2 }, { broker: 2, replicas: 0, leaders: 0 }], after: [{ broker: 1, replicas: 2, leaders: 1 }, { broker: 2, replicas: 2, leaders: 1 }] });

test('the engine\'s plan is read as lines in the UI\'s language: moves, copies, the throttle and the spread before and after', () => {
  const moves = [{ topic: 't', partition: 0, from: [1, 3], to: [2, 3] }, { topic: 't', partition: 1, from: [1, 3], to: [3, 1] }];
  const plan = reassignPlan([
    { kind: 'throttle', bytes_per_second: 20_000_000, changes: [{ resource_type: 4, resource: '1', key: 'leader.replication.throttled.rate', value: '20000000' }, { resource_type: 2, resource: 't', key: 'leader.replication.throttled.replicas', value: '0:1' }] },
    { kind: 'reassign', moves }, { kind: 'clear-throttle', changes: [] }, { kind: 'elect-leaders' },
  ]);
  const s = reassign.planSummary(plan);
  assert.deepEqual([s.moves, s.copies, s.throttleMb, s.balanced], [['t-0 [1, 3] → [2, 3]', 't-1 [1, 3] → [3, 1]'], 1, 20, false]);
  assert.deepEqual(s.spread[1], { broker: 2, replicas: [0, 2], leaders: [0, 1] });
  assert.deepEqual(plan.phases.map(reassign.phaseLine), [
    'throttle replication to 20 MB/s on every broker, for the moving replicas of 1 topic(s)',
    'reassign 2 partition(s): 1 replica copy(ies), 1 leadership order change(s)',
    'remove the replication throttle', 'elect preferred leaders']);
  const balanced = reassign.planSummary(reassignPlan([{ kind: 'clear-throttle', changes: [] }, { kind: 'elect-leaders' }]));
  assert.deepEqual([balanced.moves, balanced.throttleMb, balanced.balanced], [[], null, true]);
  i18n.setLang('ko');
  try {
    assert.equal(reassign.phaseLine({ kind: 'drop-from-project', host: 'k2', whole_host: false }), '프로젝트 파일에서 k2의 브로커 역할 제거');
  } finally { i18n.setLang('en'); }
  assert.equal(reassign.phaseLine({ kind: 'drop-from-project', host: 'k2', whole_host: true }), 'remove host k2 from the project file');
  assert.equal(reassign.phaseLine({ kind: 'unregister-broker', broker: 2 }), 'unregister broker 2 from the KRaft metadata');
  assert.equal(reassign.phaseLine({ kind: 'stop-broker', host: 'k2', unit: 'kafka-server.service' }), 'k2: stop and disable kafka-server.service (its files stay)');
  assert.equal(reassign.phaseLine({ kind: 'finish-ongoing', partitions: ['t-0'], bytes_per_second: 50_000_000 }), 'wait for 1 reassignment(s) an earlier run started (throttle 50 MB/s)');
});

test('a run\'s result line says what moved, what an earlier run left, and which file no longer lists a decommissioned broker', () => {
  const moved = reassignPlan([{ kind: 'reassign', moves: [{ topic: 't', partition: 0, from: [1], to: [2] }] }, { kind: 'elect-leaders' }]);
  assert.equal(reassign.doneLine({ plan: moved, resumed: 0, elected: 1, brokers: [], project: null }, null), 'Rebalance done: 1 partition(s) reassigned, 1 leader(s) elected.');
  const nothing = reassignPlan([{ kind: 'clear-throttle', changes: [] }, { kind: 'elect-leaders' }]);
  assert.equal(reassign.doneLine({ plan: nothing, resumed: 3, elected: 0, brokers: [], project: null }, null),
    'Rebalance done: the cluster was already balanced, nothing moved. Finished 3 reassignment(s) an earlier run had started.');
  const gone = { ...moved, procedure: { kind: 'decommission', broker: 2 } };
  const project = { path: '/srv/c.toml', draft: seed(), problems: [], recent: [] };
  assert.match(reassign.doneLine({ plan: gone, resumed: 0, elected: 0, brokers: [], project }, null), /^Broker 2 decommissioned: .*\(1 partition\(s\)\).*\/srv\/c\.toml no longer lists it/);
});

test('a deploy that started brokers on a running cluster offers Rebalance for them; any other deploy offers nothing', () => {
  const summary = { changed: 1, unchanged: 0, uploaded: {}, started: ['k4'], backups: {}, new_brokers: [] };
  assert.equal(reassign.rebalanceOffer(summary), null);
  assert.deepEqual(reassign.rebalanceOffer({ ...summary, new_brokers: ['k4', 'k5'] }), ['k4', 'k5']);
});
