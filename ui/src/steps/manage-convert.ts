// steps/manage-convert.ts — Manage's Convert quorum… for a KRaft project that asks for a dynamic controller quorum
// while its running nodes still have the static one (the status names them: `ClusterStatus.static_quorum`): the
// engine's preview of `deploy --convert-quorum` (read from the hosts, nothing changed) — its irreversible first step
// (kraft.version raised to 1) and the nodes then rolled onto controller.quorum.bootstrap.servers —; then, confirmed,
// that deploy in the run area Install and Manage share. Owns the plan last read.

import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, hostTarget } from '../progress.js';
import type { RunLayout } from '../run-area.js';
import type { AppError, ClusterStatus, PreviewRow, RunOptions } from '../types.js';

/** The engine's id of the conversion's phase (`PhaseKind::ConvertQuorum`). */
const PHASE = 'convert-quorum';

/** The plan as last read (`key`: the draft it was read for): the conversion's row and the rows that change besides. */
let plan: { key: string; step: PreviewRow; restarts: string[] } | { key: string; error: AppError } | { key: string; loading: true } | null = null;

/** Forgets the plan (another project was loaded, or the conversion ran). */
export function resetConvert(): void {
  plan = null;
}

const convertOptions = (base: RunOptions): RunOptions => ({ ...base, convert_quorum: true });

async function loadPlan(ctx: Ctx): Promise<void> {
  const key = JSON.stringify(ctx.state.draft);
  plan = { key, loading: true };
  ctx.rerender();
  try {
    const rows = await ctx.backend.previewDeploy(ctx.state.draft, convertOptions(runOptions(ctx.session)));
    const step = rows.find((r) => r.phase === PHASE);
    // the nodes a start phase would restart (their server.properties changed), each named once
    const restarts = [...new Set(rows.filter((r) => r.change && r.phase.startsWith('start-') && r.target.on === 'host').map((r) => (r.target.on === 'host' ? r.target.name : '')))];
    if (plan?.key !== key) return;
    plan = step ? { key, step, restarts } : { key, error: { code: 'steps_failed', message: 'the preview has no conversion step' } };
  } catch (e) {
    if (plan?.key === key) plan = { key, error: e as AppError };
  }
  if (ctx.state.step === 'manage') ctx.rerender();
}

/** The status's note that the nodes still run the static quorum, with Convert quorum…; nothing otherwise. */
export function convertOffer(ctx: Ctx, status: ClusterStatus | null, disabled: boolean): HTMLElement | null {
  if (!status || status.static_quorum.length === 0) return null;
  return el('p', { id: 'convert-quorum-offer', class: 'problem warning' }, t('convert.offer', { hosts: status.static_quorum.join(', ') }), ' ',
    el('button', { id: 'op-convert-quorum', disabled: disabled || (plan !== null && 'loading' in plan), onclick: () => void loadPlan(ctx) }, t('convert.button')));
}

async function convert(ctx: Ctx, layout: RunLayout, done: () => Promise<void>): Promise<void> {
  const hosts = (ctx.state.draft.hosts ?? []).map((h) => h.name);
  if (!(await ctx.confirm(t('convert.confirm', { name: ctx.state.draft.name ?? '' })))) return;
  await ctx.ensureClusterId(); // the dynamic quorum's bootstrap controllers, saved as the CLI's conversion saves them
  const run = ctx.run.begin('manage', emptyProgress(hosts.map(hostTarget)), 1, layout);
  plan = null;
  ctx.rerender();
  try {
    await ctx.backend.deploy(ctx.state.draft, convertOptions(runOptions(ctx.session)), run.onEvent);
    run.end({ ok: true, text: t('convert.done') });
  } catch (e) {
    const err = e as AppError;
    run.end({ ok: false, text: err.code === 'cancelled' ? t('convert.cancelled') : `${t('convert.title')}: ${err.message}` }, true);
  }
  await done();
}

/** The plan read for this draft: what the conversion does and which nodes it rolls, with Convert now / Close. */
export function convertSection(ctx: Ctx, busy: boolean, layout: RunLayout, done: () => Promise<void>): HTMLElement | null {
  if (!plan) return null;
  if (plan.key !== JSON.stringify(ctx.state.draft)) plan = null; // the draft changed: the plan is stale
  if (!plan) return null;
  const close = el('button', { id: 'convert-quorum-close', onclick: () => { plan = null; ctx.rerender(); } }, t('convert.close'));
  const heading = el('h3', {}, t('convert.title'));
  if ('loading' in plan) return el('section', { id: 'convert-quorum' }, heading, el('p', { class: 'muted', id: 'convert-quorum-loading' }, t('convert.reading')));
  if ('error' in plan) return el('section', { id: 'convert-quorum' }, heading, el('p', { class: 'problem error', id: 'convert-quorum-error', 'data-code': plan.error.code }, plan.error.message), close);
  const { step, restarts } = plan;
  return el('section', { id: 'convert-quorum' }, heading,
    el('p', { id: 'convert-quorum-what' }, t('convert.what')),
    el('p', { id: 'convert-quorum-step', class: step.change ? '' : 'muted' }, `${step.step}: ${step.detail}`),
    restarts.length ? el('p', { id: 'convert-quorum-restarts' }, t('convert.restarts', { hosts: restarts.join(', ') })) : null,
    step.change ? null : el('p', { class: 'ok', id: 'convert-quorum-nothing' }, t('convert.nothing')),
    el('div', { class: 'row' },
      el('button', { id: 'convert-quorum-run', class: 'danger', disabled: busy || (!step.change && restarts.length === 0), onclick: () => void convert(ctx, layout, done) }, t('convert.run')),
      close));
}
