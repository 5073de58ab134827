// steps/storage.ts — Storage: data directories (add / remove / reorder; per host for brokers and KRaft nodes),
// install / config / log directories, service user, heap, listener port and extra JVM options; and `[monitoring]`,
// the Prometheus JMX exporter: on/off, its ports (ZooKeeper's in ZooKeeper mode only) and the jar's repository.

import type { Ctx } from '../ctx.js';
import { el, field, input } from '../dom.js';
import { defaultOf, placeholderOf } from '../field-schema.js';
import { t } from '../i18n.js';
import { effectiveMode, move, setField } from '../state.js';
import type { ProjectDraft } from '../types.js';

/** An input for a list of JVM options, space-separated (an option never holds whitespace: `project::jvm_opts`). */
export function jvmOptsInput(ctx: Ctx, path: 'kafka.jvm_opts' | 'zookeeper.jvm_opts', list: string[] | undefined): HTMLElement {
  return input(path, (list ?? []).join(' '), (v) => {
    const opts = String(v ?? '').split(/\s+/).filter(Boolean);
    ctx.update(setField(ctx.state.draft, path, opts.length ? opts : undefined));
  }, { placeholder: '-XX:+AlwaysPreTouch' });
}

/** Whether the exporter is installed: the draft's setting, else the engine's default for a section left out. */
export function exporterOn(draft: ProjectDraft): boolean {
  return draft.monitoring?.prometheus ?? defaultOf('monitoring.prometheus') === 'true';
}

/** The value to store for the ticked/unticked exporter box: nothing when it equals the engine's default. */
export function exporterSetting(checked: boolean): boolean | undefined {
  return checked === (defaultOf('monitoring.prometheus') === 'true') ? undefined : checked;
}

/** `[monitoring]`: the box, and with the exporter on its ports and, folded, the jar's repository. */
function monitoringView(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const m = d.monitoring ?? {};
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const on = exporterOn(d);
  const release = ctx.releases.find((r) => r.version === d.kafka.version);
  const zookeeper = effectiveMode(d, release?.default_mode ?? null) === 'zookeeper' && !d.zookeeper?.external;
  return el('fieldset', { class: 'anchor', id: 'monitoring', 'data-field': 'monitoring' }, el('legend', {}, t('storage.monitoring')),
    el('label', { class: 'check anchor', 'data-field': 'monitoring.prometheus' },
      el('input', { type: 'checkbox', id: 'monitoring-prometheus', checked: on,
        onchange: (e: Event) => ctx.update(setField(ctx.state.draft, 'monitoring.prometheus', exporterSetting((e.target as HTMLInputElement).checked)), true) }),
      t('storage.prometheus'), el('div', { class: 'msg' })),
    on ? el('div', { class: 'grid3' },
      field(t('storage.exporterKafkaPort'), input('monitoring.kafka_port', m.kafka_port, set('monitoring.kafka_port'), { type: 'number' })),
      zookeeper ? field(t('storage.exporterZkPort'), input('monitoring.zookeeper_port', m.zookeeper_port, set('monitoring.zookeeper_port'), { type: 'number' })) : null) : null,
    on ? el('details', { class: 'advanced', open: m.maven_url !== undefined }, el('summary', {}, t('storage.mavenUrl')),
      field(t('storage.mavenUrl'), input('monitoring.maven_url', m.maven_url, set('monitoring.maven_url')), t('storage.mavenUrlHint'))) : null,
    el('div', { class: 'msg' }));
}

export function renderStorage(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const dirs = d.kafka.data_dirs ?? [];
  const setDirs = (list: string[]) => ctx.update(setField(ctx.state.draft, 'kafka.data_dirs', list.length ? list : undefined), true);
  const dirRows = dirs.map((dir, i) => el('li', { class: 'anchor dir-row' },
    input(`kafka.data_dirs[${i}]`, dir, (v) => {
      const list = (ctx.state.draft.kafka.data_dirs ?? []).slice();
      list[i] = String(v ?? '');
      ctx.update(setField(ctx.state.draft, 'kafka.data_dirs', list));
    }),
    el('button', { class: 'small', title: t('storage.up'), 'aria-label': t('storage.up'), disabled: i === 0, onclick: () => setDirs(move(dirs, i, -1)) }, '↑'),
    el('button', { class: 'small', title: t('storage.down'), 'aria-label': t('storage.down'), disabled: i === dirs.length - 1, onclick: () => setDirs(move(dirs, i, 1)) }, '↓'),
    el('button', { class: 'small danger', 'aria-label': t('hosts.remove'), onclick: () => setDirs(dirs.filter((_, j) => j !== i)) }, '✕'),
    el('div', { class: 'msg' })));
  // per-host overrides: brokers / KRaft nodes only, comma-separated (empty = the default list above)
  const kafkaHosts = (d.hosts ?? []).map((h, i) => ({ h, i })).filter(({ h }) => h.roles.includes('broker') || h.roles.includes('controller'));
  const overrides = kafkaHosts.length
    ? el('details', { class: 'host-dirs', open: kafkaHosts.some(({ h }) => h.data_dirs !== undefined) },
        el('summary', {}, t('storage.perHost')),
        el('div', { class: 'grid2' }, kafkaHosts.map(({ h, i }) => field(h.name || `#${i}`, input(`hosts[${i}].data_dirs`, (h.data_dirs ?? []).join(', '), (v) => {
          const list = String(v ?? '').split(/[\s,]+/).filter(Boolean);
          ctx.update(setField(ctx.state.draft, `hosts[${i}].data_dirs`, list.length ? list : undefined));
        }, { placeholder: dirs.join(', ') || (placeholderOf('kafka.data_dirs') ?? null) })))))
    : null;
  return el('section', { class: 'form' },
    el('fieldset', { class: 'anchor', 'data-field': 'kafka.data_dirs' }, el('legend', {}, t('storage.dataDirs')),
      dirs.length ? el('ol', { class: 'dirs' }, dirRows) : el('p', { class: 'empty' }, t('storage.noDirs', { dir: placeholderOf('kafka.data_dirs') ?? '' })),
      el('button', { id: 'add-dir', onclick: () => setDirs([...dirs, `/data${dirs.length + 1}`]) }, `+ ${t('storage.addDir')}`),
      el('div', { class: 'msg' })),
    overrides,
    el('div', { class: 'grid2' },
      field(t('storage.install'), input('kafka.install_dir', d.kafka.install_dir, set('kafka.install_dir'))),
      field(t('storage.config'), input('kafka.config_dir', d.kafka.config_dir, set('kafka.config_dir'))),
      field(t('storage.log'), input('kafka.log_dir', d.kafka.log_dir, set('kafka.log_dir'))),
      field(t('storage.user'), input('kafka.user', d.kafka.user, set('kafka.user'))),
      field(t('storage.heap'), input('kafka.heap', d.kafka.heap, set('kafka.heap'))),
      field(t('storage.port'), input('kafka.listener_port', d.kafka.listener_port, set('kafka.listener_port'), { type: 'number' }))),
    field(t('storage.jvmOpts'), jvmOptsInput(ctx, 'kafka.jvm_opts', d.kafka.jvm_opts), t('storage.jvmOptsHint')),
    monitoringView(ctx),
  );
}
