// mock-backend.ts — an in-memory Backend so the wizard runs in a plain browser (UI tests, design work). It is
// NOT the engine: its validation knows a few rules only and its files are placeholders. Deploy and operate
// replay a scripted event stream; `options.failHost` makes one host fail (to test Retry); a restart can be refused
// as unhealthy until forced (`unhealthyBeforeRoll`); the deploy preview diffs a `heap` line; the smoke test reports
// one partition per broker, failing when `options.smokeDownHost` names a broker. File dialogs answer
// from `options.picks` (a path, or null = cancelled; none left = cancelled) and record each request in
// `options.pickLog`, so a test can script and check them through `window.__MOCK_OPTIONS__`. The field schema is
// the engine's, generated into generated/field-schema.json (`options.fieldSchema` replaces it). The CA is
// `options.caInfo`; Client config… is logged in `options.clientConfigLog`; an ACL for a user not in
// security.users is an error, and so are a jump host not shaped [user@]host[:port] and an exporter on the listener port. A deploy with `migrate` reports the stage it would reach; `finishMigration` rewrites
// the stored project to KRaft mode as the engine does. A deploy preview or deploy with `rotate_ca` shows or replays
// the three passes of a CA rotation (`rotationPassesDone` of them already done), refused for a plaintext project. With
// `secretsLost` a deploy is refused with `secrets_lost` until one with `recover_secrets` replays the recovery.
// Rebalance, decommission and controller removal plan and replay as mock-reassign.ts says (a decommission drops the
// broker from the stored project file, a removal the controller's host); a deploy reports `newBrokers` as new. Trusted release signers… keep an in-memory store
// (mock-trust.ts: key files from `options.keyFiles`, imports and removals logged in `options.trustLog`). Check hosts
// and Apply fixes… answer as mock-preflight.ts says (`options.preflightRefuse`, `preflightAtBoot`, `preflightFixFails`). Only the test bundle holds this module (main.ts,
// `__KW_MOCK__`); the real app always uses tauri-backend.ts.

import type { Backend } from './backend.js';
import FIELD_SCHEMA from './generated/field-schema.json' with { type: 'json' };
import { mockReassignPlan, mockReassignRun } from './mock-reassign.js';
import { mockPreflight, type MockPreflightOptions } from './mock-preflight.js';
import { mockTrust, type MockTrustOptions } from './mock-trust.js';
import type { CaInfo, ClusterStatus, RunEntry, EngineEvent, ReassignOutcome, FieldInfo, PickRequest, PreviewRow, Problem, ProjectDraft, Release, Review, Role, SmokeReport, SmokeRequest } from './types.js';

export interface MockOptions extends MockTrustOptions, MockPreflightOptions {
  failHost?: string; delayMs?: number; files?: Record<string, string>;
  /** The answers of the next file dialogs, in order: a path, or null for Cancel. */
  picks?: (string | null)[];
  /** Every file dialog request, in order (filled by the mock). */
  pickLog?: PickRequest[];
  /** How many cluster ids were asked for (filled by the mock). */
  idRequests?: number;
  /** The field schema to serve instead of the engine's. */
  fieldSchema?: FieldInfo[];
  /** A broker host whose service is stopped in the status (its units inactive, out of the cluster). */
  statusDownHost?: string;
  /** Every run log saved: which and where (filled by the mock). */
  savedRunLogs?: { file: string; out: string }[];
  /** Every support bundle asked for (filled by the mock). */
  bundleLog?: { projectPath: string | null; out: string }[];
  /** A run stays on its first host's step until Cancel is asked for (a roll waiting on its node). */
  holdUntilCancel?: boolean;
  /** A restart is refused as the engine refuses a roll of an unhealthy cluster, unless forced. */
  unhealthyBeforeRoll?: boolean;
  /** Every start/stop/restart asked for, with whether it was forced (filled by the mock). */
  operateLog?: { verb: string; force: boolean }[];
  /** Every deploy preview asked for (filled by the mock); `previewError` makes it fail with that code. */
  previewRequests?: number;
  previewError?: string;
  /** Passes of a CA rotation already done on the hosts (0–3): the preview says so for them (a run stopped part-way). */
  rotationPassesDone?: number;
  /** Every deploy asked for, with whether it rotates the CA (and, only when asked, recovers the secrets store). */
  deployLog?: { rotate_ca: boolean; recover_secrets?: true }[];
  /** This machine lost the running secured cluster's secrets store: a deploy is refused with `secrets_lost` as the
   * engine refuses it, until one with `recover_secrets` rebuilds the store from the hosts. */
  secretsLost?: boolean;
  /** A broker host that is down for the smoke test (its report fails, naming it). */
  smokeDownHost?: string;
  /** The cluster's CA as the engine would read it (none: not installed yet). */
  caInfo?: CaInfo;
  /** Every Client config… asked for (filled by the mock); a plaintext project is refused as the engine does. */
  clientConfigLog?: { user: string; directory: string }[];
  /** The brokers a deploy reports as new (`DeploySummary.new_brokers`: joined a running cluster, hold nothing yet). */
  newBrokers?: string[];
  /** A rebalance or decommission is refused with these words (the engine's refusal, `reassign_refused`). */
  reassignRefusal?: string;
  /** Every rebalance / decommission plan and run asked for (filled by the mock). */
  reassignLog?: { run: boolean; broker: number | null; controller: number | null; throttle_mb: number | null; path: string | null }[];
  /** The hosts still on a static controller quorum (`ClusterStatus.static_quorum`) until a deploy with
   * `convert_quorum` converts them; `convertLog` counts those deploys (filled by the mock). */
  staticQuorum?: string[];
  convertLog?: number;
}

/** The mock's preview of a deploy with `convert_quorum` (`apply::convert_quorum`'s row, then each node still on the
 * static quorum restarted for its new server.properties). */
function mockConvertPreview(d: ProjectDraft, still: string[]): PreviewRow[] {
  const step = 'raise kraft.version to 1';
  const wizard = { on: 'wizard' } as const;
  const first: PreviewRow = still.length
    ? { phase: 'convert-quorum', target: wizard, step, change: true, detail: `UpdateFeatures kraft.version=1 — irreversible — then ${still.join(', ')} rolled onto controller.quorum.bootstrap.servers` }
    : { phase: 'convert-quorum', target: wizard, step, change: false, detail: 'no node runs a static quorum (controller.quorum.voters)' };
  const restarts = (d.hosts ?? []).filter((h) => still.includes(h.name)).map((h): PreviewRow => ({
    phase: 'start-brokers', target: { on: 'host', name: h.name }, step: 'restart kafka-server.service', change: true, detail: 'changed: /etc/kafka/server.properties',
  }));
  return [first, ...restarts];
}

/** The mock's deploy preview: on each host, its server.properties differs in the `heap` line only (the host has
 * 1g), the broker would restart for it, and one other file is current. */
function mockPreview(d: ProjectDraft): PreviewRow[] {
  const heap = d.kafka.heap ?? '1g';
  return (d.hosts ?? []).flatMap((h): PreviewRow[] => {
    const target = { on: 'host', name: h.name } as const;
    const path = '/etc/kafka/server.properties';
    const changed = heap !== '1g';
    const diff = `--- ${h.name}:${path} (on the host)\n+++ ${h.name}:${path} (generated)\n@@ -1,3 +1,3 @@\n broker.id=${h.id ?? ''}\n-# heap 1g\n+# heap ${heap}\n log.dirs=/var/lib/kafka/data\n`;
    return [
      { phase: 'configure', target, step: `write ${path}`, change: changed, detail: changed ? 'updated' : 'content is up to date', ...(changed ? { diff } : {}) },
      { phase: 'configure', target, step: 'write /etc/kafka/kafka-server.env', change: false, detail: 'content is up to date' },
      { phase: 'start-brokers', target, step: 'start kafka-server.service', change: changed, detail: changed ? 'restart, one host at a time (server.properties changed)' : 'running, configuration unchanged' },
    ];
  });
}

/** The engine's three CA rotation passes (`plan::rotate_ca`) and what each leaves a node holding. */
const ROTATION: [PreviewRow['phase'], string][] = [
  ['ca-trust-both', 'trusts the old and the new CA, presents the old CA\'s certificate'],
  ['ca-new-certificates', 'trusts the old and the new CA, presents the new CA\'s certificate'],
  ['ca-drop-old', 'trusts only the new CA, presents its certificate'],
];

/** The mock's preview of `deploy --rotate-ca`: every pass on every Kafka node, the first `done` passes already done
 * (as the engine reads them from the hosts' files), then the draft's other changes (mockPreview). */
function mockRotationPreview(d: ProjectDraft, done: number): PreviewRow[] {
  const nodes = (d.hosts ?? []).filter((h) => h.roles.includes('broker') || h.roles.includes('controller'));
  const todo = 'write the truststore, write the keystore, then restart kafka-server, one node at a time, healthy in between';
  const rotation = ROTATION.flatMap(([phase, holds], i) => nodes.map((h): PreviewRow => ({
    phase, target: { on: 'host', name: h.name }, step: `every Kafka node ${holds}, one rolling restart`, change: i >= done,
    detail: i >= done ? (done === 0 ? `a new CA is generated first; ${todo}` : todo) : `already done: the node ${ROTATION[done - 1][1]}`,
  })));
  return [...mockPreview(d), ...rotation];
}

const RELEASES: Release[] = [
  { version: '4.1.1', scala: ['2.13'], zookeeper: false, kraft: 'production', java: { min: 17, max: 23 }, withdrawn: false, current: true, default_mode: 'kraft', migrates_to_kraft: false, signer: null },
  { version: '3.9.1', scala: ['2.12', '2.13'], zookeeper: true, kraft: 'production', java: { min: 8, max: 23 }, withdrawn: false, current: true, default_mode: null, migrates_to_kraft: true, signer: 'Luke Chen' },
  { version: '2.8.0', scala: ['2.12', '2.13'], zookeeper: true, kraft: 'early-access', java: { min: 8, max: 16 }, withdrawn: false, current: false, default_mode: 'zookeeper', migrates_to_kraft: false, signer: 'John Roesler' },
  { version: '2.6.2', scala: ['2.12', '2.13'], zookeeper: true, kraft: 'none', java: { min: 8, max: 15 }, withdrawn: true, current: false, default_mode: 'zookeeper', migrates_to_kraft: false, signer: 'Anna Sophie Blee-Goldman' },
];

export function mockValidate(d: ProjectDraft): Problem[] {
  const out: Problem[] = [];
  // Like the engine, every message in English and Korean.
  const err = (field: string, message: string, message_ko: string) => out.push({ severity: 'error', field, message, message_ko });
  if (!d.name) err('name', 'missing — give the cluster a name', '없습니다 — 클러스터 이름을 정하세요');
  if (!RELEASES.some((r) => r.version === d.kafka.version)) err('kafka.version', 'unknown release', '알 수 없는 릴리스입니다');
  const hosts = d.hosts ?? [];
  if (hosts.length === 0) err('hosts', 'no hosts — add at least one', '호스트가 없습니다 — 하나 이상 추가하세요');
  const ids = new Map<number, number>();
  hosts.forEach((h, i) => {
    if (!h.name) err(`hosts[${i}].name`, 'missing — enter the host name', '없습니다 — 호스트 이름을 입력하세요');
    const needsId = h.roles.includes('broker') || h.roles.includes('controller');
    if (needsId && h.id === undefined) err(`hosts[${i}].id`, 'missing — brokers need an id', '없습니다 — broker에는 id가 필요합니다');
    if (h.id !== undefined && h.id < 0) err(`hosts[${i}].id`, 'must be 0 or more', '0 이상이어야 합니다');
    if (h.id !== undefined) {
      if (ids.has(h.id)) err(`hosts[${i}].id`, `${h.id} is already used by hosts[${ids.get(h.id)}]`, `${h.id}은(는) 이미 hosts[${ids.get(h.id)}]에서 쓰고 있습니다`);
      ids.set(h.id, i);
    }
  });
  // the engine's `checks::jump`, roughly: [user@]host[:port] or "none"
  const badJump = (j: string | undefined) => j !== undefined && j !== 'none' && !/^([a-z_][a-z0-9_-]*@)?[A-Za-z0-9.-]+(:\d+)?$/.test(j);
  const jumpErr = (field: string, j: string) => err(field, `"${j}" is not a jump host — write "user@bastion.example.com:22" (user and port optional; "[::1]:22" for IPv6) or "none"`,
    `"${j}"은(는) 점프 호스트가 아닙니다 — "user@bastion.example.com:22"처럼 쓰세요(사용자와 포트는 생략 가능, IPv6는 "[::1]:22") 또는 "none"`);
  if (badJump(d.ssh?.jump)) jumpErr('ssh.jump', d.ssh!.jump!);
  hosts.forEach((h, i) => { if (badJump(h.ssh?.jump)) jumpErr(`hosts[${i}].ssh.jump`, h.ssh!.jump!); });
  // the engine's exporter port checks, roughly: a port of its own, apart from the listener
  const exporter = d.monitoring?.kafka_port ?? 7071;
  if (d.monitoring?.prometheus && exporter === (d.kafka.listener_port ?? 9092)) {
    err('monitoring.kafka_port', `${exporter} is also kafka.listener_port — the exporter needs a port of its own, e.g. the default 7071`, `${exporter}은(는) kafka.listener_port이기도 합니다 — exporter에는 별도의 포트가 필요합니다. 예: 기본값 7071`);
  }
  const sec = d.security;
  (sec?.acls ?? []).forEach((acl, i) => {
    if (acl.user !== undefined && !(sec?.users ?? []).includes(acl.user)) err(`security.acls[${i}].user`, `${acl.user} is not in security.users`, `${acl.user}은(는) security.users에 없습니다`);
  });
  // the engine's migration rules, roughly: ZooKeeper mode's controllers are dedicated, on a release that migrates
  const release = RELEASES.find((r) => r.version === d.kafka.version);
  const zkMode = (d.kafka.mode ?? release?.default_mode ?? 'zookeeper') === 'zookeeper';
  hosts.forEach((h, i) => {
    if (!zkMode || !h.roles.includes('controller')) return;
    if (h.roles.includes('broker')) {
      err(`hosts[${i}].roles`, 'a migration to KRaft needs dedicated controllers (Apache does not migrate a broker into a combined node) — give the role "controller" to hosts without "broker"', 'KRaft로의 마이그레이션에는 전용 controller가 필요합니다(Apache는 broker를 combined 노드로 마이그레이션하지 않습니다) — 역할 "controller"는 "broker"가 없는 호스트에 주세요');
    }
    if (release && !release.migrates_to_kraft) {
      err('kafka.version', `hosts with the role "controller" migrate this ZooKeeper-mode cluster to KRaft, which the wizard does from Kafka 3.7 on (${release.version} here) — upgrade the cluster first, or remove the role "controller"`, `역할이 "controller"인 호스트는 이 ZooKeeper 모드 클러스터를 KRaft로 마이그레이션하며, 위저드는 Kafka 3.7부터 지원합니다(현재 ${release.version}) — 먼저 클러스터를 업그레이드하거나 역할 "controller"를 지우세요`);
    }
  });
  const zk = hosts.filter((h) => h.roles.includes(zkMode ? 'zookeeper' : 'controller')).length;
  if (zk > 0 && zk % 2 === 0) {
    out.push({ severity: 'warning', field: 'hosts[0].roles', message: `a quorum of ${zk} tolerates no more failures than ${zk - 1}`, message_ko: `멤버 ${zk}개인 쿼럼은 ${zk - 1}개일 때보다 더 많은 장애를 견디지 못합니다` });
  }
  return out;
}

function sleep(ms: number) { return new Promise((r) => setTimeout(r, ms)); }

export function mockBackend(options: MockOptions = {}): Backend {
  const files = new Map<string, string>(Object.entries(options.files ?? {}));
  let recent: string[] = [];
  let cancelled = false;
  let statusReads = 0;
  const delay = options.delayMs ?? 5;
  const fail = (code: string, message: string) => Promise.reject({ code, message });
  const runLogs: RunEntry[] = [];
  const logged = async (verb: string, run: () => Promise<void>) => {
    const file = `2026120${runLogs.length + 1}T010203.000Z-${verb}.jsonl`;
    const entry: RunEntry = { file, started_utc: `2026-12-0${runLogs.length + 1}T01:02:03Z`, verb, result: null, error: null, bytes: 2048 };
    runLogs.unshift(entry);
    try { await run(); entry.result = 'succeeded'; } catch (e) { entry.result = (e as { code: string }).code === 'cancelled' ? 'cancelled' : 'failed'; entry.error = (e as { message: string }).message; throw e; }
  };
  const replay = async (draft: ProjectDraft, steps: string[], onEvent: (e: EngineEvent) => void) => {
    cancelled = false;
    const hosts = (draft.hosts ?? []).map((h) => h.name);
    const failed: string[] = [];
    for (const [pi, step] of steps.entries()) {
      onEvent({ event: 'phase_started', phase: `p${pi}`, title: step, targets: hosts.map((name) => ({ on: 'host', name })) });
      for (const host of hosts) {
        if (failed.includes(host)) continue;
        const target = { on: 'host', name: host } as const;
        onEvent({ event: 'step_started', target, step });
        if (step.startsWith('upload')) for (let b = 1; b <= 4; b++) { await sleep(delay); onEvent({ event: 'progress', target, step, done: b * 25, total: 100 }); }
        await sleep(delay);
        if (host === options.failHost && pi === 1) {
          failed.push(host);
          onEvent({ event: 'step_failed', target, step, error: 'exit 1: mock failure' });
        } else onEvent({ event: 'step_finished', target, step, outcome: { outcome: 'changed', detail: 'done' } });
        while (options.holdUntilCancel && !cancelled) await sleep(delay);
      }
      onEvent({ event: 'phase_finished', phase: `p${pi}` });
      if (cancelled) return fail('cancelled', 'cancelled — hosts finished their current step');
    }
    if (failed.length) return fail('steps_failed', `${failed.length} step(s) failed: ${failed.join(', ')}`);
  };
  return {
    kind: 'mock',
    locale: async () => navigator.language,
    pickPath: async (request) => {
      (options.pickLog ??= []).push(request);
      return options.picks?.shift() ?? null;
    },
    newProject: async () => ({ format: 1, name: 'my-kafka', kafka: { version: RELEASES[0].version }, security: { protocol: 'sasl_ssl', ca: 'generate', admin_user: 'admin' }, monitoring: { prometheus: true } }),
    openProject: async (path) => {
      const text = files.get(path);
      if (text === undefined) return fail('io', `cannot read ${path}: not found`);
      const draft = JSON.parse(text) as ProjectDraft;
      recent = [path, ...recent.filter((p) => p !== path)];
      return { path, draft, problems: mockValidate(draft), recent };
    },
    saveProject: async (path, draft, replace) => {
      const existing = files.get(path);
      if (existing !== undefined && !replace) {
        try { JSON.parse(existing); } catch { return fail('not_a_project_file', `${path} exists and is not a kafka-wizard project — saving replaces it`); }
      }
      files.set(path, JSON.stringify(draft));
      recent = [path, ...recent.filter((p) => p !== path)];
      return [path, recent];
    },
    recentProjects: async () => recent,
    startupProject: async () => null,
    exampleProject: async (name) => {
      if (name !== 'seed-cluster') return fail('io', `there is no example ${name}`);
      return { format: 1, name: 'peter-kafka', kafka: { version: '2.8.0' }, hosts: ['peter-kafka001', 'peter-kafka002', 'peter-kafka003'].map((n, i) => ({ name: n, roles: ['broker'], id: i + 1 })) };
    },
    // the engine's `project::template::this_machine`, with the mock's KRaft release
    thisMachineProject: async () => ({
      format: 1, name: 'this-machine', kafka: { version: '4.1.1', mode: 'kraft' }, kraft: { cluster_id: 'MkU3OEVBNTcwNTJENDM2Qg' },
      hosts: [{ name: 'localhost', address: '127.0.0.1', roles: ['broker', 'controller'], id: 1, connection: 'local', ssh: { sudo: true } }],
      security: { protocol: 'sasl_ssl', ca: 'generate', admin_user: 'admin' }, monitoring: { prometheus: true },
    }),
    validate: async (d) => mockValidate(d),
    releases: async () => RELEASES,
    fieldSchema: async () => options.fieldSchema ?? (FIELD_SCHEMA as FieldInfo[]),
    newClusterId: async () => { options.idRequests = (options.idRequests ?? 0) + 1; return 'MkU3OEVBNTcwNTJENDM2Qg'; },
    review: async (d): Promise<Review> => {
      const problems = mockValidate(d);
      if (problems.some((p) => p.severity === 'error')) return { problems, hosts: [], plan: null, render_error: null };
      return {
        problems,
        hosts: (d.hosts ?? []).map((h) => ({
          host: h.name,
          files: [{ path: '/etc/kafka/server.properties', content: `# mock\nbroker.id=${h.id ?? ''}\n`, mode: 0o640, owner: 'root_service_group', purpose: 'mock file', service: 'kafka-server.service', secret: false }],
        })),
        plan: { cluster: d.name ?? '', phases: [{ name: 'install', title: 'install', work: { work: 'on_hosts', hosts: [] } },
          { name: 'start-brokers', title: 'Start the brokers', work: { work: 'start', service: 'kafka-server.service', hosts: (d.hosts ?? []).map((h) => h.name), health: [], overlap_next: false } }] },
        render_error: null,
      };
    },
    exportFiles: async (d, target) => [target, (d.hosts ?? []).length + 1],
    testConnection: async (d, index, accept) => {
      const h = (d.hosts ?? [])[index];
      const known = accept !== null;
      return {
        host: h?.name ?? '', ssh: `${h?.name ?? ''}: root@${h?.address ?? h?.name ?? ''}:22; key ssh-agent or default keys; known_hosts ~/.ssh/known_hosts; no sudo`, reachable: true, host_key_ok: known, unknown_key: known ? null : { key_type: 'ssh-ed25519', fingerprint: 'SHA256:mockmockmock' },
        auth_ok: known, os: known ? 'debian 12' : null, systemd: known ? true : null, java: known ? 'openjdk version "17.0.15"' : null, java_major: known ? 17 : null,
        error: known ? null : { code: 'unknown_host_key', message: 'unknown SSH host key' },
      };
    },
    deploy: async (d, o, onEvent) => {
      (options.deployLog ??= []).push(o.recover_secrets ? { rotate_ca: o.rotate_ca === true, recover_secrets: true } : { rotate_ca: o.rotate_ca === true });
      if (options.secretsLost && !o.recover_secrets) return fail('secrets_lost', `${(d.hosts ?? []).map((h) => h.name).join(', ')}: the storage is already formatted, and there is no secrets store for this cluster at /home/me/.local/share/kafka-wizard/secrets/x.toml — nothing was changed. A lost store can be recovered from the hosts: use Recover secrets… (Manage)`);
      if (o.recover_secrets && options.secretsLost) {
        await logged('deploy', () => replay(d, ['recover: read /etc/kafka/tls and the JAAS file', 'recover: new passwords set for admin'], onEvent));
        options.secretsLost = false;
        return { changed: 0, unchanged: (d.hosts ?? []).length, uploaded: {}, started: [], backups: {}, new_brokers: [] };
      }
      if (o.rotate_ca && (!d.security || d.security.protocol === 'plaintext')) return fail('steps_failed', 'this machine: rotate the CA: a plaintext cluster has no CA to rotate (nothing was changed)');
      if (o.convert_quorum) {
        options.convertLog = (options.convertLog ?? 0) + 1;
        await logged('deploy', () => replay(d, ['raise kraft.version to 1', 'restart kafka-server.service'], onEvent));
        options.staticQuorum = [];
        return { changed: (d.hosts ?? []).length, unchanged: 0, uploaded: {}, started: [], backups: {}, new_brokers: [] };
      }
      const steps = o.rotate_ca ? ROTATION.map(([, holds]) => `roll: ${holds}`) : ['check java', 'upload kafka.tgz', 'write configs', 'start'];
      await logged(o.migrate ? `migrate-${o.migrate}` : 'deploy', () => replay(d, steps, onEvent));
      const summary = { changed: 4, unchanged: 0, uploaded: {}, started: (d.hosts ?? []).map((h) => h.name), backups: {}, new_brokers: options.newBrokers ?? [] };
      if (!o.migrate) return summary;
      if (o.migrate === 'rollback') return { ...summary, migration: { stage: 'brokers_on_kraft', cluster_id: 'MkU3OEVBNTcwNTJENDM2Qg', rolled_back: true } };
      return { ...summary, migration: { stage: o.migrate === 'finalize' ? 'finalized' : 'brokers_on_kraft', cluster_id: 'MkU3OEVBNTcwNTJENDM2Qg' } };
    },
    finishMigration: async (path, report) => {
      if (report.rolled_back) {
        const text = files.get(path);
        if (text === undefined) return fail('migration_rewrite', `the migration was rolled back, but ${path} could not be rewritten: not found — remove the hosts whose only role is "controller", that role from the others, and the [kraft] section yourself`);
        const draft = JSON.parse(text) as ProjectDraft;
        delete draft.kraft;
        const dropped: string[] = [];
        draft.hosts = (draft.hosts ?? []).filter((h) => {
          if (h.roles.includes('controller') && !h.roles.includes('broker')) delete h.id;
          h.roles = h.roles.filter((r) => r !== 'controller');
          if (!h.roles.length) dropped.push(h.name);
          return h.roles.length > 0;
        });
        files.set(path, JSON.stringify(draft));
        return { project: { path, draft, problems: mockValidate(draft), recent }, dropped };
      }
      if (report.stage !== 'finalized') return null;
      const text = files.get(path);
      if (text === undefined) return fail('migration_rewrite', `the migration is finalized, but ${path} could not be rewritten to KRaft mode: not found — set kafka.mode = "kraft" and kraft.cluster_id = "${report.cluster_id}", remove [zookeeper] and the role "zookeeper" yourself`);
      const draft = JSON.parse(text) as ProjectDraft;
      draft.kafka.mode = 'kraft';
      draft.kraft = { ...draft.kraft, cluster_id: report.cluster_id };
      delete draft.zookeeper;
      const dropped: string[] = [];
      draft.hosts = (draft.hosts ?? []).filter((h) => {
        h.roles = h.roles.filter((r) => r !== 'zookeeper');
        delete h.zookeeper_id;
        if (!h.roles.length) dropped.push(h.name);
        return h.roles.length > 0;
      });
      files.set(path, JSON.stringify(draft));
      return { project: { path, draft, problems: mockValidate(draft), recent }, dropped };
    },
    previewDeploy: async (d, o) => {
      options.previewRequests = (options.previewRequests ?? 0) + 1;
      await sleep(delay);
      if (options.previewError) return fail(options.previewError, `mock preview failed: ${options.previewError}`);
      if (o.rotate_ca && (!d.security || d.security.protocol === 'plaintext')) return fail('steps_failed', 'this machine: rotate the CA: a plaintext cluster has no CA to rotate (nothing was changed)');
      if (o.convert_quorum) return mockConvertPreview(d, options.staticQuorum ?? []);
      return o.rotate_ca ? mockRotationPreview(d, options.rotationPassesDone ?? 0) : mockPreview(d);
    },
    operate: async (d, verb, o, onEvent) => {
      (options.operateLog ??= []).push({ verb, force: o.force === true });
      if (verb === 'restart' && options.unhealthyBeforeRoll && !o.force) {
        return fail('not_ready_to_roll', 'the cluster is not healthy: partitions replicated: orders-1 behind — refusing to start a rolling restart, nothing was restarted; let the cluster recover (or fix it) and run again');
      }
      await logged(verb, () => replay(d, [`${verb} services`], onEvent));
    },
    previewReassign: async (d, request) => {
      (options.reassignLog ??= []).push({ run: false, broker: request.broker ?? null, controller: request.controller ?? null, throttle_mb: request.throttle_mb ?? null, path: request.path ?? null });
      await sleep(delay);
      const plan = mockReassignPlan(d, request, options.reassignRefusal);
      return typeof plan === 'string' ? fail('reassign_refused', plan) : plan;
    },
    reassign: async (d, request, _o, onEvent) => {
      (options.reassignLog ??= []).push({ run: true, broker: request.broker ?? null, controller: request.controller ?? null, throttle_mb: request.throttle_mb ?? null, path: request.path ?? null });
      const plan = mockReassignPlan(d, request, options.reassignRefusal);
      if (typeof plan === 'string') return fail('reassign_refused', plan);
      cancelled = false;
      const ran: { outcome?: ReassignOutcome } = {};
      await logged(request.controller !== undefined ? 'remove-controller' : request.broker === undefined ? 'rebalance' : 'decommission', async () => {
        const result = await mockReassignRun(plan, onEvent, async () => {
          await sleep(delay);
          while (options.holdUntilCancel && !cancelled) await sleep(delay);
          return !cancelled;
        });
        if (result === 'cancelled') return fail('cancelled', 'cancelled: 2 reassignment(s) continue in the cluster; run the command again to wait for them and remove the replication throttle');
        ran.outcome = result;
      });
      const outcome = ran.outcome as ReassignOutcome;
      const path = request.path;
      const text = path === undefined ? undefined : files.get(path);
      if ((request.broker === undefined && request.controller === undefined) || path === undefined || text === undefined) return outcome;
      const draft = JSON.parse(text) as ProjectDraft;
      draft.hosts = request.controller !== undefined ? (draft.hosts ?? []).filter((h) => h.id !== request.controller) : (draft.hosts ?? []).flatMap((h) => {
        if (h.id !== request.broker || !h.roles.includes('broker')) return [h];
        const roles = h.roles.filter((r) => r !== 'broker');
        return roles.length ? [{ ...h, roles }] : [];
      });
      files.set(path, JSON.stringify(draft));
      return { ...outcome, project: { path, draft, problems: mockValidate(draft), recent } };
    },
    status: async (d): Promise<ClusterStatus> => {
      const down = (name: string) => name === options.statusDownHost;
      const brokers = (d.hosts ?? []).filter((h) => h.roles.includes('broker') && h.id != null);
      return {
        hosts: (d.hosts ?? []).map((h) => ({ host: h.name, roles: h.roles as Role[], units: [{ unit: 'kafka-server.service', enabled: 'enabled', active: down(h.name) ? 'inactive' : 'active' }],
          listening: !down(h.name), in_cluster: !down(h.name), error: null })),
        checks: [['brokers', options.statusDownHost ? { Err: `${options.statusDownHost} is not in the cluster` } : { Ok: 'all brokers in the cluster' }], ['mock status reads', { Ok: String(++statusReads) }]],
        healthy: !options.statusDownHost,
        static_quorum: options.staticQuorum ?? [],
        overview: {
          brokers: brokers.map((h, i) => ({
            id: h.id as number, host: h.name, up: !down(h.name), controller: i === 0, leads: down(h.name) ? 0 : 2, replicas: 6, under_replicated: options.statusDownHost && !down(h.name) ? 1 : 0, under_min_isr: 0,
            log_dirs: down(h.name) ? null : [{ path: '/var/lib/kafka/data', used_bytes: 1048576, total_bytes: 53687091200, usable_bytes: 42949672960, error: null }],
            log_dirs_error: down(h.name) ? 'the broker did not answer' : null,
          })),
          voters: [], zookeeper: [], topics: 1, partitions: 6, offline_partitions: 0,
          problems: options.statusDownHost ? [`broker ${options.statusDownHost} is not in the cluster — start it: kafka-wizard start FILE`] : [],
        },
      };
    },
    smoke: async (d, request, onEvent) => mockSmoke(d, request, options.smokeDownHost, async (message) => {
      onEvent({ event: 'log', target: { on: 'wizard' }, message });
      await sleep(delay);
    }),
    clusterCa: async (d) => (d.security && d.security.protocol !== 'plaintext' ? options.caInfo ?? null : null),
    clientConfig: async (d, user, directory) => {
      if (!d.security || d.security.protocol === 'plaintext') return fail('not_secured', 'the cluster is plaintext: clients need only bootstrap.servers');
      (options.clientConfigLog ??= []).push({ user, directory });
      return [`${directory}/client.properties`, `${directory}/ca.pem`];
    },
    runLogs: async () => runLogs.slice(),
    saveRunLog: async (_d, file, out) => {
      if (!runLogs.some((r) => r.file === file)) return fail('io', `no run log ${file}`);
      (options.savedRunLogs ??= []).push({ file, out });
      return out;
    },
    supportBundleName: async (d) => `${d.name ?? 'cluster'}-support-20261202T010203.zip`,
    supportBundle: async (d, _o, projectPath, out) => {
      (options.bundleLog ??= []).push({ projectPath, out });
      await sleep(delay);
      const hosts = (d.hosts ?? []).map((h) => ({ host: h.name, entries: h.name === options.failHost ? 0 : 9, left_out: 0, error: h.name === options.failHost ? 'exit 255: mock host down' : null }));
      return { path: out, entries: 3 + hosts.reduce((n, h) => n + h.entries, 0), bytes: 123456, redactions: 2, redaction: 'mock', hosts };
    },
    ...mockTrust(options),
    ...mockPreflight(options, async () => { await sleep(delay); }),
    cancel: async () => { cancelled = true; return true; },
    setTitle: async (title) => { document.title = title; },
  };
}

/** The engine's smoke test as a rule of thumb: partition i led by the i-th broker, RF min(3, brokers); a broker that
 * is down is not in the cluster, and partitions whose ISR falls below min.insync.replicas take no record. */
async function mockSmoke(d: ProjectDraft, request: SmokeRequest, downHost: string | undefined, log: (m: string) => Promise<void>): Promise<SmokeReport> {
  const brokers = (d.hosts ?? []).filter((h) => h.roles.includes('broker')).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const ids = brokers.map((h) => h.id ?? 0);
  const hostOf = (id: number) => brokers.find((h) => h.id === id)?.name ?? String(id);
  const down = brokers.find((h) => h.name === downHost)?.id;
  const records = request.records ?? 1000;
  const rf = Math.min(3, brokers.length);
  const minIsr = request.min_insync_replicas ?? (rf >= 3 ? 2 : 1);
  const topic = 'kafka-wizard-smoke-1764500000-0000abcd';
  await log(`created ${topic}: ${brokers.length} partition(s), replication factor ${rf}, min.insync.replicas ${minIsr}`);
  const partitions = ids.map((_, p) => {
    const replicas = Array.from({ length: rf }, (_, k) => ids[(p + k) % ids.length]);
    const isr = replicas.filter((id) => id !== down);
    const leader = isr[0] ?? -1;
    const share = Math.floor(records / ids.length) + (p < records % ids.length ? 1 : 0);
    const refused = isr.length < minIsr;
    return { partition: p, leader, leader_host: hostOf(leader), replicas, isr, acked: refused ? 0 : share, read_back: refused ? 0 : share, lost: 0, mismatched: 0, error: refused ? 'NOT_ENOUGH_REPLICAS' : null };
  });
  await log('deleted the topic');
  const failures = [
    ...(down === undefined ? [] : [`broker ${down} (${downHost}) is not in the cluster`]),
    ...partitions.filter((p) => p.error).map((p) => `partition ${p.partition} (leader broker ${p.leader} on ${p.leader_host}): ${p.error}`),
  ];
  const acked = partitions.reduce((n, p) => n + p.acked, 0);
  return {
    passed: failures.length === 0, cancelled: false, topic, replication_factor: rf, min_insync_replicas: minIsr, records, acked, read_back: acked,
    brokers: brokers.map((h) => ({ id: h.id ?? 0, host: h.name, in_cluster: h.id !== down, leads: partitions.filter((p) => p.leader === h.id).map((p) => p.partition) })),
    partitions, latency: acked ? { p50_ms: 2.1, p99_ms: 9.8, max_ms: 14.2, samples: acked } : null, end_to_end_ms: 850.5, total_ms: 1200,
    leftovers_removed: [], cleanup: { state: 'deleted' }, failures,
  };
}
