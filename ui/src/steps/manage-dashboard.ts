// steps/manage-dashboard.ts — Manage's dashboard, from the last status read (the engine's `overview`): tiles for
// the cluster at a glance (brokers up, the controller, topics and partitions, offline / under-replicated /
// under-min-ISR partitions), the problems with what to do (the engine's text after " — "), a row per broker (up,
// controller, partitions led and held, under-replicated, under min ISR, each log directory's use and what is left),
// the KRaft quorum (leader, lag) or the ZooKeeper ensemble (mode, latency, outstanding requests), and the topology
// picture coloured by each host's state. Pure rendering: the status is Manage's.

import { el } from '../dom.js';
import { t } from '../i18n.js';
import { topologyModel, topologyView } from '../topology.js';
import type { ClusterStatus, ProjectDraft } from '../types.js';

/** `1536` → `1.5 KiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** An engine problem as its finding and what to do (`… — start the brokers: kafka-wizard start FILE`). */
export function problemParts(text: string): { what: string; fix: string | null } {
  const i = text.indexOf(' — ');
  return i < 0 ? { what: text, fix: null } : { what: text.slice(0, i), fix: text.slice(i + 3) };
}

const tile = (id: string, label: string, value: string | number, bad = false) =>
  el('div', { class: `tile ${bad ? 'bad' : ''}`, 'data-tile': id }, el('div', { class: 'value' }, String(value)), el('div', { class: 'label' }, label));

const count = (n: number, id: string) => el('td', { class: n > 0 ? 'bad' : '', 'data-col': id }, String(n));

export function dashboardView(draft: ProjectDraft, status: ClusterStatus): HTMLElement {
  const o = status.overview;
  const up = o.brokers.filter((b) => b.up).length;
  const controller = o.brokers.find((b) => b.controller)?.host ?? o.voters.find((v) => v.leader)?.host ?? '–';
  const sum = (f: (b: (typeof o.brokers)[number]) => number) => o.brokers.reduce((n, b) => n + f(b), 0);
  const underReplicated = sum((b) => b.under_replicated), underMinIsr = sum((b) => b.under_min_isr);
  const tiles = el('div', { class: 'tiles' },
    tile('brokers', t('dash.brokersUp'), `${up}/${o.brokers.length}`, up < o.brokers.length),
    tile('controller', t('dash.controller'), controller),
    tile('topics', t('dash.topics'), `${o.topics} / ${o.partitions}`),
    tile('offline', t('dash.offline'), o.offline_partitions, o.offline_partitions > 0),
    tile('under-replicated', t('dash.underReplicated'), underReplicated, underReplicated > 0),
    tile('under-min-isr', t('dash.underMinIsr'), underMinIsr, underMinIsr > 0));
  const problems = o.problems.length
    ? el('ul', { class: 'problems', id: 'dash-problems' }, o.problems.map((p) => {
        const { what, fix } = problemParts(p);
        return el('li', { class: 'problem error' }, what, fix ? el('div', { class: 'fix' }, `${t('dash.fix')}: `, el('code', {}, fix)) : null);
      }))
    : null;
  const disks = (b: (typeof o.brokers)[number]) => {
    if (!b.log_dirs) return el('span', { class: 'muted' }, b.log_dirs_error ?? '–');
    return b.log_dirs.map((d) => {
      const used = d.total_bytes && d.usable_bytes !== null ? d.total_bytes - d.usable_bytes : null;
      const share = used !== null && d.total_bytes ? Math.round((used / d.total_bytes) * 100) : null;
      return el('div', { class: `disk ${d.error ? 'bad' : ''}`, 'data-log-dir': d.path, title: d.error ?? '' },
        el('code', {}, d.path), ' ',
        share !== null ? el('span', { class: 'bar' }, el('span', { class: share >= 85 ? 'fill bad' : 'fill', style: `width: ${share}%` })) : null,
        ' ', t('dash.disk', { kafka: bytes(d.used_bytes), free: d.usable_bytes !== null ? bytes(d.usable_bytes) : '?' }),
        d.error ? el('span', { class: 'problem error' }, ` ${d.error}`) : null);
    });
  };
  const brokers = o.brokers.length
    ? el('table', { class: 'status', id: 'dash-brokers' },
        el('thead', {}, el('tr', {}, ...['dash.broker', 'dash.up', 'dash.leads', 'dash.underReplicated', 'dash.underMinIsr', 'dash.disks'].map((k) => el('th', {}, t(k as Parameters<typeof t>[0]))))),
        el('tbody', {}, o.brokers.map((b) => el('tr', { 'data-broker': b.id, class: b.up ? '' : 'down' },
          el('td', {}, el('strong', {}, `${b.id}`), ` ${b.host}`, b.controller ? el('span', { class: 'pill ok' }, t('dash.controllerBadge')) : null),
          el('td', {}, el('span', { class: `pill ${b.up ? 'ok' : 'bad'}` }, b.up ? '✓' : '✕')),
          el('td', { 'data-col': 'leads' }, `${b.leads} / ${b.replicas}`),
          count(b.under_replicated, 'under-replicated'), count(b.under_min_isr, 'under-min-isr'),
          el('td', { class: 'disks' }, disks(b))))))
    : null;
  const quorum = o.voters.length
    ? el('table', { class: 'status', id: 'dash-quorum' },
        el('thead', {}, el('tr', {}, el('th', {}, t('dash.voter')), el('th', {}, t('dash.role')), el('th', {}, t('dash.lag')))),
        el('tbody', {}, o.voters.map((v) => el('tr', { 'data-voter': v.id },
          el('td', {}, el('strong', {}, `${v.id}`), ` ${v.host}`),
          el('td', {}, v.leader ? t('dash.leader') : t('dash.follower')),
          el('td', { class: v.lag !== null && v.lag > 0 ? 'bad' : '' }, v.lag === null ? '–' : String(v.lag))))))
    : null;
  const ensemble = o.zookeeper.length
    ? el('table', { class: 'status', id: 'dash-zookeeper' },
        el('thead', {}, el('tr', {}, el('th', {}, t('dash.member')), el('th', {}, t('dash.mode')), el('th', {}, t('dash.latency')), el('th', {}, t('dash.outstanding')))),
        el('tbody', {}, o.zookeeper.map((z) => el('tr', { 'data-zookeeper': z.host, class: z.error ? 'down' : '' },
          el('td', {}, el('strong', {}, z.host)),
          el('td', {}, z.mode ?? el('span', { class: 'problem error' }, z.error ?? '–')),
          el('td', {}, z.latency_avg_us === null ? '–' : `${(z.latency_avg_us / 1000).toFixed(1)} ms`),
          el('td', {}, z.outstanding === null ? '–' : String(z.outstanding))))))
    : null;
  return el('section', { id: 'dashboard', class: 'dashboard' },
    tiles, problems, topologyView(topologyModel(draft, status), true), brokers, quorum, ensemble);
}
