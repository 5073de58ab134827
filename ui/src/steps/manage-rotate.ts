// steps/manage-rotate.ts — Manage's Rotate CA… for a project whose CA the wizard generates (rotate-ca.ts decides
// when, and reads the plan): the engine's preview of `deploy --rotate-ca` (read from the hosts, nothing changed)
// shown as its three passes with what each does on every Kafka node and what is already done, with what the
// rotation means for the cluster and its clients; then, confirmed, the deploy with `rotate_ca` in the run area
// Install and Manage share — live rows and log, Cancel between nodes (the next rotation or deploy continues it).
// Owns the plan last read.

import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, hostTarget } from '../progress.js';
import type { RunLayout } from '../run-area.js';
import { rotateOptions, rotationOffered, rotationPlan, type RotationPlan } from '../rotate-ca.js';
import type { AppError } from '../types.js';
import { resetSecurityClient } from './security-client.js';
import { offerRebalance } from './manage-reassign.js';
import { rebalanceOffer } from '../reassign.js';

/** The rotation's plan as last read for the project (`key`: the draft it was read for), or its error. */
let plan: { key: string; plan: RotationPlan } | { key: string; error: AppError } | { key: string; loading: true } | null = null;

/** Forgets the plan (another project was loaded, or the rotation ran). */
export function resetRotate(): void {
  plan = null;
}

async function loadPlan(ctx: Ctx): Promise<void> {
  const key = JSON.stringify(ctx.state.draft);
  plan = { key, loading: true };
  ctx.rerender();
  try {
    const rows = await ctx.backend.previewDeploy(ctx.state.draft, rotateOptions(runOptions(ctx.session)));
    if (plan?.key === key) plan = { key, plan: rotationPlan(rows) };
  } catch (e) {
    if (plan?.key === key) plan = { key, error: e as AppError };
  }
  if (ctx.state.step === 'manage') ctx.rerender();
}

/** Rotate CA… (reads the plan first); nothing for a plaintext project or a provided CA. */
export function rotateButton(ctx: Ctx, disabled: boolean): HTMLElement | null {
  if (!rotationOffered(ctx.state.draft)) return null;
  return el('button', { id: 'op-rotate-ca', disabled: disabled || (plan !== null && 'loading' in plan), onclick: () => void loadPlan(ctx) }, t('rotate.button'));
}

/** Runs the rotation after a confirmation; `done` reads the status again. */
async function rotate(ctx: Ctx, layout: RunLayout, nodes: number, done: () => Promise<void>): Promise<void> {
  if (!(await ctx.confirm(t('rotate.confirm', { name: ctx.state.draft.name ?? '', n: nodes })))) return;
  const label = t('rotate.label');
  const run = ctx.run.begin('manage', emptyProgress((ctx.state.draft.hosts ?? []).map((h) => hostTarget(h.name))), 3, layout);
  plan = null;
  ctx.rerender();
  try {
    offerRebalance(rebalanceOffer(await ctx.backend.deploy(ctx.state.draft, rotateOptions(runOptions(ctx.session)), run.onEvent)));
    run.end({ ok: true, text: t('rotate.done') });
  } catch (e) {
    const err = e as AppError;
    run.end({ ok: false, text: err.code === 'cancelled' ? t('rotate.cancelled') : `${label}: ${err.message}` }, true);
  }
  resetSecurityClient(); // the CA shown is read again: the new one once the rotation is done
  await done();
}

/** The plan read for this draft: what the rotation does, its passes per node, and Rotate now / Close. */
export function rotateSection(ctx: Ctx, busy: boolean, layout: RunLayout, done: () => Promise<void>): HTMLElement | null {
  if (!plan || !rotationOffered(ctx.state.draft)) return null;
  const close = el('button', { id: 'rotate-ca-close', onclick: () => { plan = null; ctx.rerender(); } }, t('rotate.close'));
  const heading = el('h3', {}, t('rotate.title'));
  if (plan.key !== JSON.stringify(ctx.state.draft)) plan = null; // the draft changed: the plan is stale
  if (!plan) return null;
  if ('loading' in plan) return el('section', { id: 'rotate-ca' }, heading, el('p', { class: 'muted', id: 'rotate-ca-loading' }, t('rotate.reading')));
  if ('error' in plan) return el('section', { id: 'rotate-ca' }, heading, el('p', { class: 'problem error', id: 'rotate-ca-error', 'data-code': plan.error.code }, plan.error.message), close);
  const p = plan.plan;
  const nodes = new Set(p.passes.flatMap((pass) => pass.nodes.map((n) => n.host))).size;
  return el('section', { id: 'rotate-ca' }, heading,
    el('p', { id: 'rotate-ca-what' }, t('rotate.what', { n: nodes })),
    el('p', { class: 'muted' }, t('rotate.clients')),
    el('ol', { class: 'rotate-passes' }, p.passes.map((pass) => el('li', { 'data-pass': pass.phase },
      el('strong', {}, pass.step),
      el('ul', {}, pass.nodes.map((n) => el('li', { class: n.change ? '' : 'muted', 'data-node': n.host }, `${n.host}: ${n.detail}`)))))),
    p.otherChanges ? el('p', { class: 'problem warning', id: 'rotate-ca-other' }, t('rotate.other', { n: p.otherChanges })) : null,
    p.toRun === 0 ? el('p', { class: 'ok', id: 'rotate-ca-nothing' }, t('rotate.nothing')) : null,
    el('div', { class: 'row' },
      el('button', { id: 'rotate-ca-run', class: 'primary', disabled: busy || p.toRun === 0, onclick: () => void rotate(ctx, layout, nodes, done) }, t('rotate.run')),
      close));
}
