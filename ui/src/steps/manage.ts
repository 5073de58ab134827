// steps/manage.ts — Manage: status per host (units, process listening, in cluster) and the cluster checks;
// Start / Stop / Restart (rolling) after a confirmation, with the engine's events in the run area it shares with
// Install; Refresh, by hand or every 10 s; the Smoke test (manage-smoke.ts). Owns the status last read.

import type { Verb } from '../backend.js';
import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, hostTarget } from '../progress.js';
import { logPane, progressTable, resultLine, type Run } from '../run-area.js';
import type { ClusterStatus } from '../types.js';
import { resetSmoke, smokeButton, smokeSection } from './manage-smoke.js';

/** The cluster's status as last read (null: not read for this project), and whether a read is under way. */
let status: ClusterStatus | null = null;
let statusLoading = false;

/** Forgets the status (another project was loaded). */
export function resetManage(): void {
  status = null;
  resetSmoke();
}

/** Manage's run: the result line, the rows and the log. */
function manageLayout(run: Run): HTMLElement[] {
  return [...resultLine('op-result', run), progressTable(run.progress), logPane(run.progress)];
}

async function refresh(ctx: Ctx): Promise<void> {
  statusLoading = true;
  ctx.rerender();
  try {
    status = await ctx.backend.status(ctx.state.draft, runOptions(ctx.session));
  } catch (e) {
    ctx.notify((e as { message: string }).message, false);
  }
  statusLoading = false;
  if (ctx.state.step === 'manage') ctx.rerender();
}

async function operate(ctx: Ctx, verb: Verb, label: string): Promise<void> {
  if (!(await ctx.confirm(t('manage.confirm', { verb: label, name: ctx.state.draft.name ?? '' })))) return;
  resetSmoke();
  const run = ctx.run.begin('manage', emptyProgress((ctx.state.draft.hosts ?? []).map((h) => hostTarget(h.name))), 3, manageLayout);
  ctx.rerender();
  try {
    await ctx.backend.operate(ctx.state.draft, verb, runOptions(ctx.session), run.onEvent);
    run.end({ ok: true, text: `${label}: ok` });
  } catch (e) {
    run.end({ ok: false, text: `${label}: ${(e as { message: string }).message}` });
  }
  await refresh(ctx);
}

/** Live status: while on Manage with auto-refresh on, the status is read again every AUTO_REFRESH_MS. */
export const AUTO_REFRESH_MS = 10_000;
let autoRefresh: ReturnType<typeof setInterval> | null = null;

function setAutoRefresh(ctx: Ctx, on: boolean): void {
  if (autoRefresh) clearInterval(autoRefresh);
  autoRefresh = null;
  if (!on) return;
  autoRefresh = setInterval(() => {
    if (ctx.state.step !== 'manage') return setAutoRefresh(ctx, false);
    if (!statusLoading && !ctx.run.running) void refresh(ctx);
  }, AUTO_REFRESH_MS);
}

const yesNo = (v: boolean | null) => el('span', { class: `pill ${v === true ? 'ok' : v === false ? 'bad' : ''}` }, v === true ? '✓' : v === false ? '✕' : '–');

export function renderManage(ctx: Ctx): HTMLElement {
  const s = status;
  const run = ctx.run.shown('manage');
  const busy = run?.running === true || statusLoading;
  const hasErrors = ctx.state.problems.some((p) => p.severity === 'error');
  const controls = el('div', { class: 'row' },
    el('button', { id: 'refresh', disabled: busy || hasErrors, onclick: () => void refresh(ctx) }, statusLoading ? '…' : t('manage.refresh')),
    el('button', { id: 'op-start', disabled: busy || hasErrors, onclick: () => void operate(ctx, 'start', t('manage.start')) }, t('manage.start')),
    el('button', { id: 'op-stop', class: 'danger', disabled: busy || hasErrors, onclick: () => void operate(ctx, 'stop', t('manage.stop')) }, t('manage.stop')),
    el('button', { id: 'op-restart', disabled: busy || hasErrors, onclick: () => void operate(ctx, 'restart', t('manage.restart')) }, t('manage.restart')),
    smokeButton(ctx, busy || hasErrors),
    run?.running ? el('button', { id: 'cancel', onclick: () => void ctx.backend.cancel() }, t('install.cancel')) : null,
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'auto-refresh', checked: autoRefresh !== null, disabled: hasErrors,
      onchange: (e: Event) => setAutoRefresh(ctx, (e.target as HTMLInputElement).checked) }), t('manage.auto')));
  const table = s
    ? el('table', { class: 'status', id: 'status-table' },
        el('thead', {}, el('tr', {}, el('th', {}, t('manage.host')), el('th', {}, t('manage.unit')), el('th', {}, t('manage.process')), el('th', {}, t('manage.inCluster')))),
        el('tbody', {}, s.hosts.map((h) => el('tr', { 'data-status-host': h.host },
          el('td', {}, el('strong', {}, h.host), el('div', { class: 'muted' }, h.roles.join(', '))),
          el('td', { class: 'units' }, h.units ? h.units.map((u) => el('span', { class: `pill ${u.active === 'active' ? 'ok' : 'bad'}`, 'data-unit': u.unit }, `${u.unit.replace('.service', '')}: ${u.active}`)) : el('span', { class: 'problem error' }, h.error ?? '')),
          el('td', {}, yesNo(h.listening)), el('td', {}, yesNo(h.in_cluster))))))
    : el('p', { class: 'empty' }, t('manage.empty'));
  return el('section', {}, controls,
    s ? el('p', { id: 'health', class: s.healthy ? 'ok' : 'problem error' }, s.healthy ? t('manage.healthy') : t('manage.unhealthy')) : null,
    table,
    s ? el('ul', { class: 'checks' }, s.checks.map(([name, r]) => el('li', { class: 'Ok' in r ? 'ok' : 'problem error' }, `${name}: ${'Ok' in r ? r.Ok : r.Err}`))) : null,
    ctx.run.view('manage'),
    smokeSection());
}
