// steps/review.ts — Review: all problems (each links to its step), Check hosts (the preflight's table and its fixes,
// before the long diff: review-preflight.ts), what a deploy would change on the hosts (after Test connection:
// review-diff.ts), every generated file per host (read-only, highlighted), the plan, and Export to
// a folder or a zip chosen in the OS's file dialog; for a secured project the CA and Client config…
// (security-client.ts). Owns the file shown, the export choices and the last export's result.

import { topologyModel, topologyView } from '../topology.js';
import type { Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { exportPick } from '../file-picks.js';
import { highlight } from '../highlight.js';
import { t, type Key } from '../i18n.js';
import { problemMessage, stepOfField } from '../problems.js';
import type { PhaseWork, Review } from '../types.js';
import { deployDiffView } from './review-diff.js';
import { preflightView } from './review-preflight.js';
import { caView, clientConfigView } from './security-client.js';

let selected: { host: string; path: string } | null = null;
let exportFormat: 'folder' | 'zip' = 'folder';
let exportReplace = false;
let exportMessage: { ok: boolean; text: string } | null = null;

async function load(ctx: Ctx): Promise<void> {
  await ctx.ensureClusterId();
  const review = await ctx.backend.review(ctx.state.draft);
  ctx.review = review;
  if (ctx.state.step === 'review') ctx.rerender();
}

function filesView(ctx: Ctx, review: Review): HTMLElement {
  const first = review.hosts[0];
  if (!selected || !review.hosts.some((h) => h.host === selected!.host && h.files.some((f) => f.path === selected!.path))) {
    selected = first && first.files[0] ? { host: first.host, path: first.files[0].path } : null;
  }
  const file = review.hosts.find((h) => h.host === selected?.host)?.files.find((f) => f.path === selected?.path);
  const pre = el('pre', { class: 'code', id: 'file-content', 'data-host': selected?.host ?? '', 'data-path': selected?.path ?? '' });
  pre.innerHTML = file ? highlight(file.content) : '';
  return el('div', { class: 'files' },
    el('ul', { class: 'file-tree' }, review.hosts.map((h) => el('li', {}, el('strong', {}, h.host),
      el('ul', {}, h.files.map((f) => el('li', {}, el('a', {
        href: '#', class: selected?.host === h.host && selected.path === f.path ? 'current' : '', 'data-file': `${h.host}:${f.path}`, title: f.purpose,
        onclick: (e: Event) => { e.preventDefault(); selected = { host: h.host, path: f.path }; ctx.rerender(); },
      }, f.path))))))),
    el('div', { class: 'file-view' }, file ? el('p', { class: 'muted' }, `${selected!.host}:${file.path} — ${file.purpose} (mode ${file.mode.toString(8)})`) : null, pre));
}

function planView(review: Review): HTMLElement | null {
  if (!review.plan) return null;
  return el('details', { class: 'plan', id: 'plan' }, el('summary', {}, `${t('review.plan')} (${review.plan.phases.length})`),
    el('ol', {}, review.plan.phases.map((ph) => el('li', {}, el('strong', {}, ph.title),
      el('ul', {}, planLines(ph.work).map((line) => el('li', {}, line)))))));
}

/** `[monitoring]`: every exporter Prometheus scrapes once installed (the export writes them as prometheus.yml). */
function scrapeView(review: Review): HTMLElement | null {
  const targets = review.plan?.scrape_targets ?? [];
  if (targets.length === 0) return null;
  return el('section', { id: 'scrape-targets' }, el('h3', {}, t('review.scrapeTargets')),
    el('p', { class: 'muted' }, t('review.scrapeHint')),
    el('ul', {}, targets.map((s) => el('li', {}, `${s.host} — ${s.service}: `, el('code', {}, `http://${s.target}/metrics`)))));
}

/** One line per target of a phase: who does what, in order. */
function planLines(work: PhaseWork): string[] {
  const words = (tag: string) => tag.replace(/_/g, ' ');
  switch (work.work) {
    case 'fetch': return [`${t('run.thisMachine')}: ${t('review.planFetch', { tarball: work.tarball })}`];
    case 'on_hosts': return work.hosts.map((h) => `${h.host}: ${h.steps.map((s) => words(s.step)).join(' → ')}`);
    case 'start': return [
      ...work.hosts.map((h) => `${h}: ${t('review.planStart', { service: work.service })}`),
      `${t('run.thisMachine')}: ${work.health.map((h) => words(h.health)).join(' → ')}`
        + (work.overlap_next ? ` (${t('review.planOverlapNext')})` : ''),
    ];
    case 'scram_users': return [`${t('run.thisMachine')}: ${t('review.planScramUsers', { users: work.users.join(', '), mechanism: work.mechanism })}`];
    case 'acls': return [`${t('run.thisMachine')}: ${t('review.planAcls', { users: work.principals.join(', '), n: work.grants.length })}`];
    case 'convert_quorum': return [`${t('run.thisMachine')}: ${t('review.planConvertQuorum', { controllers: work.controllers.join(', ') })}`];
    case 'rotate_ca': return [
      ...work.hosts.map((h) => `${h.host}: ${h.steps.map((s) => words(s.step)).join(' → ')}`),
      `${t('run.thisMachine')}: ${t('review.planRotateCa', { stage: words(work.stage) })}`,
    ];
  }
}

async function exportTo(ctx: Ctx): Promise<void> {
  const target = await ctx.pickPath(exportPick(exportFormat, ctx.state.draft, ctx.state.path, ctx.session.recent));
  if (!target) return;
  try {
    await ctx.ensureClusterId();
    const [path, n] = await ctx.backend.exportFiles(ctx.state.draft, target, exportFormat, exportReplace);
    exportMessage = { ok: true, text: t('review.exported', { n, path }) };
  } catch (e) {
    exportMessage = { ok: false, text: (e as { message: string }).message };
  }
  ctx.rerender();
}

function exportView(ctx: Ctx): HTMLElement {
  const fmt = (v: 'folder' | 'zip', label: string) => el('label', { class: 'radio' }, el('input', { type: 'radio', name: 'export-format', id: `export-${v}`, checked: exportFormat === v, onchange: () => { exportFormat = v; } }), label);
  const msg = exportMessage;
  return el('fieldset', { class: 'export' }, el('legend', {}, t('review.export')),
    fmt('folder', t('review.folder')), fmt('zip', t('review.zip')),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'export-replace', checked: exportReplace, onchange: (e: Event) => { exportReplace = (e.target as HTMLInputElement).checked; } }), t('review.replace')),
    el('button', { id: 'export', class: 'primary', onclick: () => void exportTo(ctx) }, `${t('review.export')}…`),
    el('small', { class: 'hint' }, t('review.exportHint')),
    msg ? el('p', { id: 'export-result', class: msg.ok ? 'ok' : 'problem error' }, msg.text) : null);
}

export function renderReview(ctx: Ctx): HTMLElement {
  const review = ctx.review;
  if (!review) {
    void load(ctx);
    return el('p', { class: 'muted' }, '…');
  }
  const errors = review.problems.filter((p) => p.severity === 'error');
  const problems = el('section', { id: 'review-problems' }, el('h3', {}, t('review.problems')),
    review.problems.length === 0 ? el('p', { class: 'ok' }, t('review.none')) : el('ul', { class: 'problems' }, review.problems.map((p) => {
      const step = stepOfField(p.field);
      return el('li', { class: `problem ${p.severity}` }, el('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); ctx.go(step); } }, `${t(`step.${step}` as Key)} › ${p.field}`), ': ', problemMessage(p));
    })));
  if (errors.length) return el('div', {}, el('p', { class: 'problem error' }, t('review.fix')), problems);
  return el('div', { class: 'review' },
    review.render_error ? el('p', { class: 'problem error' }, review.render_error.message) : null,
    review.problems.length ? problems : null,
    preflightView(ctx),
    deployDiffView(ctx, review.plan?.phases ?? []),
    el('h3', {}, t('topology.title')), topologyView(topologyModel(ctx.state.draft, null), false),
    caView(ctx),
    el('h3', {}, t('review.files')), filesView(ctx, review), planView(review), scrapeView(review), exportView(ctx), clientConfigView(ctx));
}
