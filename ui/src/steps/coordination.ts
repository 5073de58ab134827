// steps/coordination.ts — ZooKeeper / KRaft: the ensemble from hosts with the role or an external one, the
// chroot (default from the cluster name), ports and (folded) TLS between members; or the KRaft controllers and the
// cluster id.

import type { Ctx } from '../ctx.js';
import { el, field, input } from '../dom.js';
import { t } from '../i18n.js';
import { defaultOf } from '../field-schema.js';
import { effectiveMode, setField } from '../state.js';
import { jvmOptsInput } from './storage.js';

export function renderCoordination(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const release = ctx.releases.find((r) => r.version === d.kafka.version);
  const mode = effectiveMode(d, release?.default_mode ?? null);
  const hosts = d.hosts ?? [];
  if (mode === 'kraft') {
    const controllers = hosts.filter((h) => h.roles.includes('controller')).map((h) => h.name);
    return el('section', { class: 'form' },
      el('fieldset', { class: 'anchor', 'data-field': 'kraft' }, el('legend', {}, t('coord.kraft')),
        el('p', {}, controllers.length ? t('coord.controllers', { list: controllers.join(', ') }) : t('coord.noControllers')), el('div', { class: 'msg' })),
      field(t('coord.clusterId'), el('div', { class: 'row' },
        input('kraft.cluster_id', d.kraft?.cluster_id, set('kraft.cluster_id')),
        el('button', { id: 'generate-cluster-id', type: 'button', onclick: async () => ctx.update(setField(ctx.state.draft, 'kraft.cluster_id', await ctx.backend.newClusterId()), true) }, t('coord.generate')))),
      field(t('coord.controllerPort'), input('kraft.controller_port', d.kraft?.controller_port, set('kraft.controller_port'), { type: 'number' })),
      quorumKind(ctx, release?.version ?? null),
    );
  }
  const zk = d.zookeeper ?? {};
  const external = zk.external !== undefined;
  const members = hosts.filter((h) => h.roles.includes('zookeeper')).map((h) => h.name);
  const quorumTlsDefault = defaultOf('zookeeper.quorum_tls') === 'true';
  const quorumTlsOn = zk.quorum_tls ?? quorumTlsDefault;
  const radio = (ext: boolean, label: string) => el('label', { class: 'radio' }, el('input', { type: 'radio', name: 'ensemble', id: ext ? 'ensemble-external' : 'ensemble-hosts', checked: external === ext,
    onchange: () => ctx.update(setField(ctx.state.draft, 'zookeeper.external', ext ? [] : undefined), true) }), label);
  return el('section', { class: 'form' },
    el('fieldset', { class: 'anchor', 'data-field': 'zookeeper' }, el('legend', {}, t('coord.zk')), radio(false, t('coord.fromHosts')), radio(true, t('coord.external')),
      external
        ? field(t('coord.externalList'), el('textarea', { id: 'zk-external', 'data-field': 'zookeeper.external', rows: 3, oninput: (e: Event) => {
            const list = (e.target as HTMLTextAreaElement).value.split(/[\s,]+/).filter(Boolean);
            ctx.update(setField(ctx.state.draft, 'zookeeper.external', list));
          } }, (zk.external ?? []).join('\n')))
        : el('p', {}, members.length ? t('coord.members', { list: members.join(', ') }) : t('coord.noMembers')),
      el('div', { class: 'msg' })),
    field(t('coord.chroot'), input('zookeeper.chroot', zk.chroot, set('zookeeper.chroot'), { placeholder: `/${d.name ?? ''}` }), t('coord.chrootDefault', { name: d.name ?? '' })),
    el('div', { class: 'grid3' },
      field(t('coord.clientPort'), input('zookeeper.client_port', zk.client_port, set('zookeeper.client_port'), { type: 'number' })),
      field(t('coord.quorumPort'), input('zookeeper.quorum_port', zk.quorum_port, set('zookeeper.quorum_port'), { type: 'number' })),
      field(t('coord.electionPort'), input('zookeeper.election_port', zk.election_port, set('zookeeper.election_port'), { type: 'number' }))),
    field(t('coord.zkData'), input('zookeeper.data_dir', zk.data_dir, set('zookeeper.data_dir'))),
    external ? null : el('details', { class: 'advanced', open: [zk.log_dir, zk.heap, zk.tick_time, zk.init_limit, zk.sync_limit, zk.jvm_opts, zk.quorum_tls].some((v) => v !== undefined) },
      el('summary', {}, t('coord.advanced')),
      el('label', { class: 'check anchor', 'data-field': 'zookeeper.quorum_tls' },
        el('input', { type: 'checkbox', id: 'zookeeper-quorum-tls', checked: quorumTlsOn,
          onchange: (e: Event) => {
            const checked = (e.target as HTMLInputElement).checked;
            ctx.update(setField(ctx.state.draft, 'zookeeper.quorum_tls', checked === quorumTlsDefault ? undefined : checked), true);
          } }),
        t('coord.quorumTls'), el('div', { class: 'msg' })),
      el('div', { class: 'grid3' },
        field(t('coord.zkLog'), input('zookeeper.log_dir', zk.log_dir, set('zookeeper.log_dir'))),
        field(t('coord.zkHeap'), input('zookeeper.heap', zk.heap, set('zookeeper.heap'))),
        field(t('coord.tickTime'), input('zookeeper.tick_time', zk.tick_time, set('zookeeper.tick_time'), { type: 'number' })),
        field(t('coord.initLimit'), input('zookeeper.init_limit', zk.init_limit, set('zookeeper.init_limit'), { type: 'number' }), t('coord.ticks')),
        field(t('coord.syncLimit'), input('zookeeper.sync_limit', zk.sync_limit, set('zookeeper.sync_limit'), { type: 'number' }), t('coord.ticks'))),
      field(t('coord.zkJvmOpts'), jvmOptsInput(ctx, 'zookeeper.jvm_opts', zk.jvm_opts), t('storage.jvmOptsHint'))),
  );
}

/** Whether `version` (`major.minor.patch`) is `major.minor` or later. */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** The controller quorum's kind (`kraft.quorum`): static (absent — the engine's meaning of no key) or dynamic, which
 * Kafka 3.9+ has (controllers can be added and removed later). A running cluster keeps the kind it was formatted
 * with: Manage's Convert quorum… makes a static one dynamic (Kafka 4.1+). */
function quorumKind(ctx: Ctx, version: string | null): HTMLElement {
  const dynamic = ctx.state.draft.kraft?.quorum === 'dynamic';
  const available = version === null || atLeast(version, 3, 9);
  const radio = (kind: 'static' | 'dynamic', label: string) => el('label', { class: 'radio' },
    el('input', { type: 'radio', name: 'kraft-quorum', id: `quorum-${kind}`, checked: dynamic === (kind === 'dynamic'), disabled: kind === 'dynamic' && !available && !dynamic,
      onchange: () => ctx.update(setField(ctx.state.draft, 'kraft.quorum', kind === 'dynamic' ? 'dynamic' : undefined), true) }), label);
  return el('fieldset', { class: 'anchor', 'data-field': 'kraft.quorum' }, el('legend', {}, t('coord.quorumKind')),
    radio('dynamic', t('coord.quorumDynamic')), radio('static', t('coord.quorumStatic')),
    el('small', { class: 'hint' }, available ? t('coord.quorumHint') : t('coord.quorumOld')), el('div', { class: 'msg' }));
}
