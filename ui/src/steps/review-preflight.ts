// steps/review-preflight.ts — Review's "Check hosts": the engine's preflight (`deploy --preflight-only`) as a table
// of host, check, result and fix — refusals first and marked, then warnings, then what passed — read when the user
// asks (it connects to every host; nothing is changed). Refusals block Install (install.ts asks `installBlock`,
// which names them) until a check of the same project passes. "Apply fixes…" (when the wizard can fix some warnings
// itself): the engine's preview first, then a confirmation naming each host and each file that will be written
// (Cancel focused: writing as root on the hosts is never one stray Enter away), then the fixes made, each host's
// outcome shown as the engine read it back, and the check run again. Owns the last check (and the project it was
// for), the last fixes' outcome, and what is in progress; another project forgets them.

import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { fixable, fixPlan, orderedRows, outcomeText, planHasFixes, refusals, verdictWord, type HostPlan } from '../preflight.js';
import type { AppError, FixReport, PreflightReport, PreflightRow } from '../types.js';

type Check = { key: string; loading: true } | { key: string; report: PreflightReport } | { key: string; error: AppError };
let check: Check | null = null;
let outcome: { report: FixReport } | { error: AppError } | null = null;
let fixing: 'previewing' | 'applying' | null = null;

/** Forgets the check and the fixes (another project was loaded). */
export function resetPreflight(): void {
  check = null;
  outcome = null;
  fixing = null;
}

/** What a check was made for: the project as it is now. */
function keyOf(ctx: Ctx): string {
  return JSON.stringify(ctx.state.draft);
}

/** The refusals of the last check of this very project (they block Install); null when none stand. */
export function installBlock(ctx: Ctx): PreflightRow[] | null {
  if (!check || !('report' in check) || check.key !== keyOf(ctx)) return null;
  const refused = refusals(check.report);
  return refused.length ? refused : null;
}

function redraw(ctx: Ctx): void {
  if (ctx.state.step === 'review' || ctx.state.step === 'install') ctx.rerender();
}

async function runCheck(ctx: Ctx): Promise<void> {
  const key = keyOf(ctx);
  check = { key, loading: true };
  redraw(ctx);
  try {
    const report = await ctx.backend.preflight(ctx.state.draft, runOptions(ctx.session));
    if (check?.key === key) check = { key, report };
  } catch (e) {
    if (check?.key === key) check = { key, error: e as AppError };
  }
  redraw(ctx);
}

/** The confirmation: each host with the files written and the settings applied now; resolves true on Apply. */
function confirmFixes(plan: HostPlan[]): Promise<boolean> {
  return new Promise((resolve) => {
    const hosts = el('ul', { id: 'preflight-confirm-hosts' }, plan.map((p) => el('li', { 'data-host': p.host },
      el('strong', {}, p.host),
      p.error ? el('div', { class: 'problem error' }, t('preflight.hostFails', { error: p.error })) : null,
      el('ul', {},
        p.write.map((file) => el('li', { 'data-file': file }, t('preflight.writes'), ' ', el('code', {}, file))),
        p.settings.length ? el('li', { class: 'muted' }, t('preflight.appliesNow', { settings: p.settings.join(', ') })) : null))));
    const done = (yes: boolean) => { overlay.remove(); resolve(yes); };
    const no = el('button', { id: 'preflight-confirm-no', onclick: () => done(false) }, t('preflight.cancel'));
    const box = el('div', { class: 'dialog preflight' }, el('h3', {}, t('preflight.confirmTitle')),
      el('p', {}, t('preflight.confirmIntro')), hosts,
      el('p', { id: 'preflight-question' }, el('strong', {}, t('preflight.question'))),
      el('div', { class: 'buttons' }, el('button', { id: 'preflight-confirm-yes', class: 'primary', onclick: () => done(true) }, t('preflight.apply')), no));
    const overlay = el('div', { class: 'overlay', id: 'preflight-confirm', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('preflight.confirmTitle') }, box);
    overlay.addEventListener('keydown', (e) => { if (e.key === 'Escape') done(false); });
    document.body.append(overlay);
    no.focus();
  });
}

async function applyFixes(ctx: Ctx): Promise<void> {
  if (fixing) return;
  const draft = ctx.state.draft;
  fixing = 'previewing';
  redraw(ctx);
  let plan: HostPlan[];
  try {
    plan = fixPlan(await ctx.backend.preflightFix(draft, runOptions(ctx.session), true));
  } catch (e) {
    fixing = null;
    outcome = { error: e as AppError };
    redraw(ctx);
    return;
  }
  fixing = null;
  redraw(ctx);
  if (!planHasFixes(plan)) {
    ctx.notify(t('preflight.nothingToFix'));
    return;
  }
  if (!(await confirmFixes(plan))) {
    ctx.notify(t('preflight.cancelled'));
    return;
  }
  fixing = 'applying';
  redraw(ctx);
  try {
    outcome = { report: await ctx.backend.preflightFix(draft, runOptions(ctx.session), false) };
  } catch (e) {
    outcome = { error: e as AppError };
  }
  fixing = null;
  await runCheck(ctx);
}

function tableView(report: PreflightReport): HTMLElement {
  return el('table', { id: 'preflight-table', class: 'preflight' },
    el('thead', {}, el('tr', {}, el('th', {}, t('preflight.host')), el('th', {}, t('preflight.check')), el('th', {}, t('preflight.result')), el('th', {}, t('preflight.fix')))),
    el('tbody', {}, orderedRows(report.rows).map((r) => el('tr', { 'data-host': r.host, 'data-check': r.check, 'data-verdict': r.verdict, class: `verdict-${r.verdict}` },
      el('td', {}, el('strong', {}, r.host)),
      el('td', {}, r.check),
      el('td', {}, el('span', { class: `verdict ${r.verdict}` }, verdictWord(r.verdict)), ' ', r.result),
      el('td', {}, r.fix, r.fix_file ? el('div', { class: 'muted fixable' }, t('preflight.fixable', { file: r.fix_file })) : null)))));
}

function outcomeView(): HTMLElement | null {
  if (!outcome) return null;
  if ('error' in outcome) return el('p', { id: 'preflight-fix-error', class: 'problem error', 'data-code': outcome.error.code }, outcome.error.message);
  return el('section', { id: 'preflight-outcomes' }, el('h4', {}, t('preflight.outcomes')),
    el('table', { class: 'preflight' }, el('tbody', {}, outcome.report.hosts.flatMap((h) => [
      ...h.fixes.map((f) => el('tr', { 'data-host': h.host, 'data-state': f.state },
        el('td', {}, el('strong', {}, h.host)), el('td', {}, f.setting),
        el('td', { class: f.state === 'at_boot' ? 'problem warning' : 'ok' }, outcomeText(f)))),
      ...(h.error ? [el('tr', { 'data-host': h.host, 'data-state': 'failed' }, el('td', {}, el('strong', {}, h.host)),
        el('td', { colspan: 2, class: 'problem error' }, t('preflight.hostFailed', { error: h.error })))] : []),
    ]))));
}

function reportView(ctx: Ctx, report: PreflightReport, stale: boolean): HTMLElement[] {
  const refused = refusals(report).length;
  const canFix = fixable(report).length;
  const summary = refused
    ? el('p', { id: 'preflight-summary', class: 'problem error' }, t('preflight.refused', { n: refused, warned: report.warned }))
    : el('p', { id: 'preflight-summary', class: 'ok' }, t('preflight.passed', { warned: report.warned }));
  return [
    stale ? el('p', { id: 'preflight-stale', class: 'problem warning' }, t('preflight.stale')) : null,
    summary,
    tableView(report),
    canFix ? el('div', { class: 'row' },
      el('button', { id: 'preflight-fix', disabled: fixing !== null, onclick: () => void applyFixes(ctx) }, t('preflight.applyFixes')),
      el('small', { class: 'hint' }, fixing === 'previewing' ? t('preflight.previewing') : fixing === 'applying' ? t('preflight.applying') : t('preflight.fixHint', { n: canFix }))) : null,
  ].filter((x): x is HTMLElement => x !== null);
}

/** The section on Review. */
export function preflightView(ctx: Ctx): HTMLElement {
  const c = check;
  const loading = c !== null && 'loading' in c;
  const run = el('button', { id: 'preflight-run', class: 'small', disabled: loading || fixing !== null, onclick: () => void runCheck(ctx) }, c ? t('preflight.again') : t('preflight.run'));
  const body: (HTMLElement | null)[] = !c ? [el('p', { id: 'preflight-intro', class: 'muted' }, t('preflight.intro'))]
    : 'loading' in c ? [el('p', { id: 'preflight-loading', class: 'muted' }, t('preflight.reading'))]
    : 'error' in c ? [el('p', { id: 'preflight-error', class: 'problem error', 'data-code': c.error.code }, c.error.message)]
    : reportView(ctx, c.report, c.key !== keyOf(ctx));
  return el('section', { id: 'preflight' }, el('div', { class: 'row' }, el('h3', {}, t('preflight.title')), run), ...body, outcomeView());
}
