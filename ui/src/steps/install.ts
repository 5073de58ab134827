// steps/install.ts — Install: per-host rows (current step, byte progress for downloads/uploads), overall
// progress, the log, Cancel, and Retry for failed hosts (a re-run: hosts already done stay unchanged); held while
// Review's Check hosts found refusals for this project (naming them: review-preflight.ts); after a
// deploy that added brokers to a running cluster, the rebalance offer (Manage's Rebalance…, as the CLI's
// `rebalance_offer`); after a deploy refused because this machine lost the running cluster's secrets store,
// Recover secrets… (manage-recover.ts). The run itself is shown by the run area it shares with Manage.

import { saveLogButton, savedLine } from './runs.js';
import { offerRebalance, rebalanceOfferView } from './manage-reassign.js';
import { rebalanceOffer } from '../reassign.js';
import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, failedHosts, hostTarget, overall, WIZARD } from '../progress.js';
import { logPane, progressTable, resultLine, type Run } from '../run-area.js';
import type { PreflightRow } from '../types.js';
import { installBlock } from './review-preflight.js';
import { recoverOffer } from './manage-recover.js';

/** Install's run: the overall bar, the result line, the rows and the log. */
function installLayout(run: Run): HTMLElement[] {
  return [
    el('div', { class: 'overall' }, el('span', {}, t('install.overall')), el('progress', { id: 'overall', max: 1, value: run.result?.ok ? 1 : overall(run.progress, run.expectedPhases) })),
    ...resultLine('run-result', run),
    progressTable(run.progress),
    el('h3', {}, t('install.log')), logPane(run.progress),
  ];
}

async function runInstall(ctx: Ctx): Promise<void> {
  await ctx.ensureClusterId();
  const hosts = (ctx.state.draft.hosts ?? []).map((h) => h.name);
  const review = ctx.review ?? (await ctx.backend.review(ctx.state.draft).catch(() => null));
  const expectedPhases = review?.plan?.phases.length ?? 7;
  const run = ctx.run.begin('install', emptyProgress([WIZARD, ...hosts.map(hostTarget)]), expectedPhases, installLayout);
  ctx.rerender();
  try {
    const s = await ctx.backend.deploy(ctx.state.draft, runOptions(ctx.session), run.onEvent);
    offerRebalance(rebalanceOffer(s));
    run.end({ ok: true, text: t('install.done', { changed: s.changed, unchanged: s.unchanged }) });
  } catch (e) {
    const err = e as { code?: string; message: string };
    run.end({ ok: false, code: err.code, text: err.code === 'cancelled' ? t('install.cancelled') : t('install.failed', { message: err.message }) }, true);
  }
  if (ctx.state.step === 'install') ctx.rerender();
}

/** Why Install waits: the refusals of Review's last Check hosts, each with its fix, and the way back to it. */
function blockedView(ctx: Ctx, refused: PreflightRow[]): HTMLElement {
  return el('div', { id: 'install-blocked', class: 'problem error' },
    el('p', {}, t('install.blocked', { n: refused.length })),
    el('ul', {}, refused.map((r) => el('li', { 'data-host': r.host }, el('strong', {}, r.host), `: ${r.check}: ${r.result}`, r.fix ? ` — ${r.fix}` : ''))),
    el('a', { href: '#', id: 'install-blocked-review', onclick: (e: Event) => { e.preventDefault(); ctx.go('review'); } }, t('install.blockedReview')));
}

export function renderInstall(ctx: Ctx): HTMLElement {
  const run = ctx.run.shown('install');
  const hasErrors = ctx.state.problems.some((p) => p.severity === 'error');
  const refused = installBlock(ctx);
  const controls = el('div', { class: 'row' },
    el('button', { id: 'install', class: 'primary', disabled: hasErrors || refused !== null || run?.running === true, onclick: () => void runInstall(ctx) }, t('install.start')),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'install-java', checked: ctx.session.installJava, onchange: (e: Event) => { ctx.session.installJava = (e.target as HTMLInputElement).checked; } }), t('install.javaInstall')),
    run?.running ? el('button', { id: 'cancel', class: 'danger', onclick: () => void ctx.backend.cancel() }, t('install.cancel')) : null,
    run && !run.running && failedHosts(run.progress).length ? el('button', { id: 'retry', onclick: () => void runInstall(ctx), title: t('install.retryNote') }, `${t('install.retry')} (${failedHosts(run.progress).join(', ')})`) : null);
  const blocked = refused && run?.running !== true ? blockedView(ctx, refused) : null;
  if (!run) return el('section', {}, controls, blocked, el('p', { class: 'empty' }, hasErrors ? t('review.fix') : t('install.idle')));
  const recover = recoverOffer(ctx, 'install', run, installLayout, async () => { if (ctx.state.step === 'install') ctx.rerender(); });
  return el('section', {}, controls, blocked, ctx.run.view('install'), recover, run.running ? null : rebalanceOfferView(ctx, hasErrors, true),
    run.running ? null : el('div', { class: 'row' }, saveLogButton(ctx, false)), savedLine());
}
