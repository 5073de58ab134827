// steps/review-diff.ts — Review's "Changes on the hosts": what a deploy would change on each host, read from the
// hosts themselves (the engine's preview — the rows of `kafka-wizard deploy --dry-run`): a unified diff per changed
// file (added/removed lines coloured, each file collapsible), the services that would (re)start and why, the other
// steps that would change something. It needs the hosts reachable, so it comes after Test connection; until then
// it says so. Owns the preview last read and what it was read for (the draft, the hosts logged in to), and which files
// are folded; entering Review reads it again.

import { runOptions, type Ctx } from '../ctx.js';
import { changeCount, diffLines, diffStat, previewByTarget, type TargetPreview } from '../diff.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { targetLabel } from '../run-area.js';
import type { AppError, Phase, PreviewRow } from '../types.js';
import { hostsLoggedIn } from './hosts.js';

type Preview = { key: string; rows: PreviewRow[] } | { key: string; error: AppError } | { key: string; loading: true };
let preview: Preview | null = null;

/** Forgets the preview: it is read again when Review shows next (entering Review, another project). */
export function resetReviewDiff(): void {
  preview = null;
}

/** What the preview depends on: the draft and which hosts were reached. */
function keyOf(ctx: Ctx): string {
  return `${hostsLoggedIn()}|${JSON.stringify(ctx.state.draft)}`;
}

async function load(ctx: Ctx, key: string): Promise<void> {
  preview = { key, loading: true };
  try {
    const rows = await ctx.backend.previewDeploy(ctx.state.draft, runOptions(ctx.session));
    if (preview?.key === key) preview = { key, rows };
  } catch (e) {
    if (preview?.key === key) preview = { key, error: e as AppError };
  }
  if (ctx.state.step === 'review') ctx.rerender();
}

/** Files the user folded (`host step`), kept folded while the preview is redrawn. */
const folded = new Set<string>();

/** One file's diff: its step and what changes as the summary (+/- counts), the coloured lines inside. */
function fileView(host: string, row: PreviewRow): HTMLElement {
  const stat = diffStat(row.diff ?? '');
  const id = `${host} ${row.step}`;
  return el('details', { class: 'diff-file', open: !folded.has(id), 'data-step': row.step,
    ontoggle: (e: Event) => { if ((e.target as HTMLDetailsElement).open) folded.delete(id); else folded.add(id); } },
    el('summary', {}, el('code', {}, row.step), ` — ${row.detail} `,
      el('span', { class: 'diff-stat' }, el('span', { class: 'stat-add' }, `+${stat.added}`), ' ', el('span', { class: 'stat-del' }, `−${stat.removed}`))),
    el('pre', { class: 'code diff' }, diffLines(row.diff ?? '').map((l) => el('div', { class: `diff-${l.kind}` }, l.text))));
}

function targetView(p: TargetPreview): HTMLElement {
  const label = targetLabel(p.target);
  const host = p.target.on === 'host' ? p.target.name : '';
  const changes = p.files.length + p.services.length + p.other.length;
  return el('section', { class: 'diff-target', 'data-diff-target': host || 'wizard' },
    el('h4', {}, label, ' ', el('span', { class: 'muted' }, changes ? t('review.diffChanges', { n: changes, unchanged: p.unchanged }) : t('review.diffNone'))),
    p.files.map((f) => fileView(host, f)),
    p.services.length ? el('ul', { class: 'diff-services' }, p.services.map((s) => el('li', { 'data-restart': host }, el('strong', {}, s.step), `: ${s.detail}`))) : null,
    p.other.length ? el('ul', { class: 'diff-other' }, p.other.map((s) => el('li', {}, `${s.step}: ${s.detail}`))) : null);
}

function rowsView(rows: PreviewRow[], phases: Phase[]): HTMLElement[] {
  const n = changeCount(rows);
  return [
    el('p', { id: 'deploy-diff-summary', class: n ? '' : 'ok' }, n ? t('review.diffSummary', { n }) : t('review.diffUpToDate')),
    ...previewByTarget(rows, phases).filter((p) => p.files.length + p.services.length + p.other.length > 0).map(targetView),
  ];
}

/** The section on Review: after Test connection, what a deploy would change; before, a word that it comes then. */
export function deployDiffView(ctx: Ctx, phases: Phase[]): HTMLElement {
  const heading = el('h3', {}, t('review.diff'));
  if (hostsLoggedIn() === 0) {
    return el('section', { id: 'deploy-diff' }, heading,
      el('p', { id: 'deploy-diff-later', class: 'muted' }, t('review.diffAfterTest'), ' ',
        el('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); ctx.go('hosts'); } }, t('step.hosts'))));
  }
  const key = keyOf(ctx);
  if (preview?.key !== key) void load(ctx, key);
  const p = preview!;
  const again = el('button', { id: 'deploy-diff-refresh', class: 'small', disabled: 'loading' in p, onclick: () => void load(ctx, key) }, t('review.diffAgain'));
  const body = 'loading' in p ? [el('p', { id: 'deploy-diff-loading', class: 'muted' }, t('review.diffReading'))]
    : 'error' in p ? [el('p', { id: 'deploy-diff-error', class: 'problem error', 'data-code': p.error.code }, p.error.message)]
    : rowsView(p.rows, phases);
  return el('section', { id: 'deploy-diff' }, el('div', { class: 'row' }, heading, again), ...body);
}
