// topology.ts — the cluster as a picture (SVG): every host a box with its name, roles and the ports its services
// listen on; the coordination tier on top (the ZooKeeper ensemble, or the KRaft controllers: lines between its
// members), the brokers below (a line from each broker to the tier it registers with); a combined KRaft node is one
// box in the top row. Review shows it from the project; Manage colours each box by the host's state in the last
// status read (running and in the cluster / running but not in it / down or unreachable / not read yet).
// `topologyModel` is pure (tested headless); `topologyView` draws it.

import { placeholderOf } from './field-schema.js';
import { t } from './i18n.js';
import type { ClusterStatus, ProjectDraft } from './types.js';

export type HostState = 'ok' | 'degraded' | 'down' | 'unknown';

export interface TopologyBox {
  host: string;
  roles: string[];
  /** `broker :9092`, `controller :9093`, `zookeeper :2181/2888/3888`. */
  ports: string[];
  row: 0 | 1;
  state: HostState;
}

export interface TopologyModel {
  boxes: TopologyBox[];
  /** Pairs of box indexes: members of the ensemble / quorum with each other, brokers with that tier. */
  links: { from: number; to: number; kind: 'quorum' | 'registers' }[];
}

const num = (v: unknown, path: string): string => String(v ?? placeholderOf(path) ?? '');

/** A host's state from the status: its units active and the host in the cluster. */
export function hostState(status: ClusterStatus | null, host: string): HostState {
  const h = status?.hosts.find((s) => s.host === host);
  if (!h) return 'unknown';
  if (!h.units || h.error) return 'down';
  if (h.units.some((u) => u.active !== 'active')) return 'down';
  return h.in_cluster === false || h.listening === false ? 'degraded' : 'ok';
}

export function topologyModel(draft: ProjectDraft, status: ClusterStatus | null): TopologyModel {
  const zkMode = draft.kafka.mode === 'zookeeper' || (draft.hosts ?? []).some((h) => h.roles.includes('zookeeper'));
  const boxes: TopologyBox[] = (draft.hosts ?? []).map((h) => {
    const ports: string[] = [];
    if (h.roles.includes('broker')) ports.push(`broker :${num(draft.kafka.listener_port, 'kafka.listener_port')}`);
    if (h.roles.includes('controller')) ports.push(`controller :${num(draft.kraft?.controller_port, 'kraft.controller_port')}`);
    if (h.roles.includes('zookeeper')) {
      const z = draft.zookeeper ?? {};
      ports.push(`zookeeper :${num(z.client_port, 'zookeeper.client_port')}/${num(z.quorum_port, 'zookeeper.quorum_port')}/${num(z.election_port, 'zookeeper.election_port')}`);
    }
    const top = zkMode ? h.roles.includes('zookeeper') : h.roles.includes('controller');
    return { host: h.name, roles: h.roles, ports, row: top ? 0 : 1, state: hostState(status, h.name) };
  });
  const tier = boxes.map((b, i) => ({ b, i })).filter(({ b }) => b.roles.includes(zkMode ? 'zookeeper' : 'controller'));
  const links: TopologyModel['links'] = [];
  tier.forEach(({ i }, k) => { for (const { i: j } of tier.slice(k + 1)) links.push({ from: i, to: j, kind: 'quorum' }); });
  boxes.forEach((b, i) => {
    if (!b.roles.includes('broker') || b.row === 0) return;
    for (const { i: j } of tier) links.push({ from: i, to: j, kind: 'registers' });
  });
  return { boxes, links };
}

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 170, BOX_H = 62, GAP = 24, ROW_GAP = 70, PAD = 10;

function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

/** The picture; `live`: coloured by state (Manage), else neutral (Review). */
export function topologyView(model: TopologyModel, live: boolean): HTMLElement {
  const rows = [model.boxes.filter((b) => b.row === 0), model.boxes.filter((b) => b.row === 1)];
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = PAD * 2 + widest * BOX_W + (widest - 1) * GAP;
  const usedRows = rows.filter((r) => r.length > 0).length || 1;
  const height = PAD * 2 + usedRows * BOX_H + (usedRows - 1) * ROW_GAP;
  const at = new Map<TopologyBox, { x: number; y: number }>();
  let rowIndex = 0;
  for (const row of rows) {
    if (!row.length) continue;
    const rowWidth = row.length * BOX_W + (row.length - 1) * GAP;
    row.forEach((b, i) => at.set(b, { x: (width - rowWidth) / 2 + i * (BOX_W + GAP), y: PAD + rowIndex * (BOX_H + ROW_GAP) }));
    rowIndex++;
  }
  const center = (b: TopologyBox) => { const p = at.get(b) as { x: number; y: number }; return { x: p.x + BOX_W / 2, y: p.y + BOX_H / 2 }; };
  const lines = model.links.map((l) => {
    const a = center(model.boxes[l.from]), b = center(model.boxes[l.to]);
    const sameRow = model.boxes[l.from].row === model.boxes[l.to].row;
    // members of one row: an arc above the boxes, so a line never runs through a box between them
    const d = sameRow ? `M ${a.x} ${a.y - BOX_H / 2} Q ${(a.x + b.x) / 2} ${a.y - BOX_H / 2 - 20 - Math.min(Math.abs(b.x - a.x) / 10, 16)} ${b.x} ${b.y - BOX_H / 2}`
      : `M ${a.x} ${a.y - BOX_H / 2} L ${b.x} ${b.y + BOX_H / 2}`;
    return svg('path', { d, class: `link ${l.kind}`, 'data-link': `${model.boxes[l.from].host}→${model.boxes[l.to].host}` });
  });
  const boxes = model.boxes.map((b) => {
    const p = at.get(b) as { x: number; y: number };
    const state = live ? b.state : 'unknown';
    return svg('g', { class: `host ${state}`, 'data-topology-host': b.host, 'data-state': state, transform: `translate(${p.x} ${p.y})` },
      svg('title', {}, `${b.host}: ${b.roles.join(', ')}${live ? ` — ${t(`topology.${state}`)}` : ''}`),
      svg('rect', { width: BOX_W, height: BOX_H, rx: 6 }),
      svg('text', { x: 8, y: 18, class: 'name' }, b.host),
      ...b.ports.map((port, i) => svg('text', { x: 8, y: 34 + i * 13, class: 'port' }, port)));
  });
  const arcs = model.links.some((l) => model.boxes[l.from].row === model.boxes[l.to].row) ? 28 : 0;
  const picture = svg('svg', { viewBox: `0 ${-arcs} ${width} ${height + arcs}`, width, height: height + arcs, role: 'img', 'aria-label': t('topology.title') },
    ...lines, ...boxes);
  const wrap = document.createElement('figure');
  wrap.className = 'topology';
  wrap.id = live ? 'topology-live' : 'topology';
  wrap.append(picture as unknown as Node);
  if (live) {
    const legend = document.createElement('figcaption');
    legend.className = 'muted';
    legend.append(...(['ok', 'degraded', 'down', 'unknown'] as HostState[]).map((s) => {
      const span = document.createElement('span');
      span.className = `legend ${s}`;
      span.textContent = t(`topology.${s}`);
      return span;
    }));
    wrap.append(legend);
  }
  return wrap;
}
