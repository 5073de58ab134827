// step-install.ts — Install: per-host rows (current step, byte progress for downloads/uploads), overall
// progress, the log, Cancel, and Retry for failed hosts (a re-run: hosts already done stay unchanged).

import type { Ctx } from './app.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { bytesFraction, emptyProgress, failedHosts, overall, reduce, stopped, type RunProgress } from './progress.js';
import type { RunOptions } from './types.js';

export function runOptions(ctx: Ctx): RunOptions {
  return { password: ctx.session.password || undefined, key_passphrase: ctx.session.keyPassphrase || undefined, install_java: ctx.session.installJava };
}

export async function runInstall(ctx: Ctx): Promise<void> {
  await ctx.ensureClusterId();
  const hosts = (ctx.state.draft.hosts ?? []).map((h) => h.name);
  const review = ctx.session.review ?? (await ctx.backend.review(ctx.state.draft).catch(() => null));
  const expectedPhases = review?.plan?.phases.length ?? 7;
  ctx.session.run = { kind: 'install', progress: emptyProgress(['local', ...hosts]), running: true, result: null, expectedPhases };
  ctx.rerender();
  let pending = false;
  const onEvent = (e: Parameters<typeof reduce>[1]) => {
    const run = ctx.session.run!;
    run.progress = reduce(run.progress, e);
    // Only the progress area is redrawn (at most once a frame): the buttons stay the same elements, so a click on
    // Cancel is never lost to a redraw between press and release.
    if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; redrawRunArea(ctx); }); }
  };
  try {
    const s = await ctx.backend.deploy(ctx.state.draft, runOptions(ctx), onEvent);
    ctx.session.run.result = { ok: true, text: t('install.done', { changed: s.changed, unchanged: s.unchanged }) };
  } catch (e) {
    const err = e as { code?: string; message: string };
    ctx.session.run.result = { ok: false, text: err.code === 'cancelled' ? t('install.cancelled') : t('install.failed', { message: err.message }) };
    ctx.session.run.progress = stopped(ctx.session.run.progress);
  }
  ctx.session.run.running = false;
  if (ctx.state.step === 'install') ctx.rerender();
}

export function progressTable(p: RunProgress): HTMLElement {
  return el('table', { class: 'progress-table' },
    el('tbody', {}, [...p.hosts.values()].map((r) => {
      const frac = bytesFraction(r);
      return el('tr', { 'data-host-row': r.host, 'data-state': r.state },
        el('td', {}, el('strong', {}, r.host)),
        el('td', { class: `state ${r.state}` }, r.state),
        el('td', { class: 'step-name' }, r.step || '—', r.error ? el('div', { class: 'problem error' }, r.error) : null),
        el('td', {}, frac === null ? null : el('progress', { max: 1, value: frac })));
    })));
}

export function logPane(p: RunProgress): HTMLElement {
  const pre = el('pre', { class: 'log', id: 'log' }, p.log.slice(-400).map((l) => el('div', { class: `log-${l.kind}` }, l.host ? `[${l.host}] ${l.text}` : l.text)));
  requestAnimationFrame(() => { pre.scrollTop = pre.scrollHeight; });
  return pre;
}

export function renderInstall(ctx: Ctx): HTMLElement {
  const run = ctx.session.run?.kind === 'install' ? ctx.session.run : null;
  const hasErrors = ctx.state.problems.some((p) => p.severity === 'error');
  const controls = el('div', { class: 'row' },
    el('button', { id: 'install', class: 'primary', disabled: hasErrors || run?.running === true, onclick: () => void runInstall(ctx) }, t('install.start')),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'install-java', checked: ctx.session.installJava, onchange: (e: Event) => { ctx.session.installJava = (e.target as HTMLInputElement).checked; } }), t('install.javaInstall')),
    run?.running ? el('button', { id: 'cancel', class: 'danger', onclick: () => void ctx.backend.cancel() }, t('install.cancel')) : null,
    run && !run.running && failedHosts(run.progress).length ? el('button', { id: 'retry', onclick: () => void runInstall(ctx), title: t('install.retryNote') }, `${t('install.retry')} (${failedHosts(run.progress).join(', ')})`) : null);
  if (!run) return el('section', {}, controls, el('p', { class: 'empty' }, hasErrors ? t('review.fix') : t('install.idle')));
  return el('section', {}, controls, el('div', { id: 'run-area' }, runArea(run)));
}

type Run = NonNullable<Ctx['session']['run']>;

function runArea(run: Run): HTMLElement[] {
  return [
    el('div', { class: 'overall' }, el('span', {}, t('install.overall')), el('progress', { id: 'overall', max: 1, value: run.result?.ok ? 1 : overall(run.progress, run.expectedPhases) })),
    ...(run.result ? [el('p', { id: 'run-result', class: run.result.ok ? 'ok' : 'problem error' }, run.result.text)] : []),
    progressTable(run.progress),
    el('h3', {}, t('install.log')), logPane(run.progress),
  ];
}

/** Redraws the shown run's progress (rows, bars, log) in place, leaving the step's buttons alone. */
export function redrawRunArea(ctx: Ctx): void {
  const area = document.getElementById('run-area');
  const run = ctx.session.run;
  if (!area || !run) return;
  area.replaceChildren(...(run.kind === 'install' ? runArea(run) : manageRunArea(run)));
}

/** Manage's run area: the result line, the rows and the log. */
export function manageRunArea(run: Run): HTMLElement[] {
  return [
    ...(run.result ? [el('p', { id: 'op-result', class: run.result.ok ? 'ok' : 'problem error' }, run.result.text)] : []),
    progressTable(run.progress), logPane(run.progress),
  ];
}
