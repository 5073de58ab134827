// steps/manage-reassign.ts — Manage's Rebalance… and Decommission broker… (reassign.ts holds their pure part): the
// engine's plan read from the cluster first (`preview_reassign`, the CLI's `--dry-run`: phases, each move, the
// throttle, replicas and preferred leaders per broker before and after) or its refusal shown verbatim; then,
// confirmed, the run in the run area Install and Manage share — live rows, log and an overall bar, Cancel stops the
// waiting (moves asked for continue in Kafka) — and a decommission's project taken again from its rewritten file
// (`Ctx.reload`). Also the rebalance offer after a deploy added brokers (Install's, or Manage's Finalize upgrade,
// Migrate, Rotate CA…; Install and Manage show it, as the CLI's `rebalance_offer`). Owns the panel (broker picker, plan, error), the throttle chosen and the offer.

import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, hostTarget, overall, WIZARD } from '../progress.js';
import { brokerChoices, decommissionHeld, doneLine, phaseLine, planSummary, reassignRequest } from '../reassign.js';
import type { RunLayout } from '../run-area.js';
import type { AppError, ReassignPlan, ReassignRequest } from '../types.js';

/** What the panel shows, for the draft it was read for (`key`). */
type Panel =
  | { kind: 'pick' }
  | { kind: 'loading'; key: string; request: ReassignRequest }
  | { kind: 'plan'; key: string; request: ReassignRequest; plan: ReassignPlan }
  | { kind: 'error'; key: string; request: ReassignRequest; error: AppError };

let panel: Panel | null = null;
let picked: number | null = null;
let throttleMb: number | null = null;
/** Brokers a deploy added that hold nothing yet (null: no offer). */
let offered: string[] | null = null;

/** Forgets the panel, the choice and the offer (another project was loaded). */
export function resetReassign(): void {
  panel = null;
  picked = null;
  throttleMb = null;
  offered = null;
}

/** After a deploy: offer Rebalance for these new brokers (null: none joined). */
export function offerRebalance(newBrokers: string[] | null): void {
  offered = newBrokers;
}

const keyOf = (ctx: Ctx) => JSON.stringify(ctx.state.draft);

async function loadPlan(ctx: Ctx, broker: number | null): Promise<void> {
  const key = keyOf(ctx);
  const request = reassignRequest(broker, throttleMb, ctx.state.path);
  panel = { kind: 'loading', key, request };
  ctx.rerender();
  try {
    const plan = await ctx.backend.previewReassign(ctx.state.draft, request, runOptions(ctx.session));
    if (panel?.kind === 'loading' && panel.key === key) panel = { kind: 'plan', key, request, plan };
  } catch (e) {
    if (panel?.kind === 'loading' && panel.key === key) panel = { kind: 'error', key, request, error: e as AppError };
  }
  if (ctx.state.step === 'manage') ctx.rerender();
}

/** Reads the rebalance's plan (from Manage's button, or the offer after a deploy). */
export function openRebalance(ctx: Ctx): void {
  void loadPlan(ctx, null);
}

/** Rebalance… and Decommission broker… (the latter only when the project has more than one broker). */
export function reassignButtons(ctx: Ctx, disabled: boolean): (HTMLElement | null)[] {
  const reading = panel?.kind === 'loading';
  const brokers = brokerChoices(ctx.state.draft);
  return [
    el('button', { id: 'op-rebalance', disabled: disabled || reading || brokers.length === 0, onclick: () => openRebalance(ctx) }, t('reassign.rebalance')),
    brokers.length > 1 ? el('button', { id: 'op-decommission', class: 'danger', disabled: disabled || reading,
      onclick: () => { panel = { kind: 'pick' }; ctx.rerender(); } }, t('reassign.decommission')) : null,
  ];
}

/** The offer after a deploy that added brokers, with its Rebalance… button; none without one. */
export function rebalanceOfferView(ctx: Ctx, disabled: boolean, go: boolean): HTMLElement | null {
  if (!offered) return null;
  return el('p', { id: 'rebalance-offer', class: 'problem warning' }, t('reassign.offer', { hosts: offered.join(', ') }), ' ',
    el('button', { id: 'rebalance-offer-run', disabled, onclick: () => { if (go) ctx.go('manage'); openRebalance(ctx); } }, t('reassign.offerButton')));
}

/** Runs the plan after a confirmation; `done` reads the status again. */
async function run(ctx: Ctx, request: ReassignRequest, plan: ReassignPlan, layout: RunLayout, done: () => Promise<void>): Promise<void> {
  const s = planSummary(plan);
  const name = ctx.state.draft.name ?? '';
  const mb = s.throttleMb ?? request.throttle_mb ?? 50;
  const broker = request.broker;
  const host = brokerChoices(ctx.state.draft).find((b) => b.id === broker)?.host ?? '';
  const question = broker === undefined
    ? t('reassign.confirmRebalance', { name, n: s.moves.length, mb })
    : t('reassign.confirmDecommission', { name, id: broker, host, mb, path: request.path ?? '' });
  if (!(await ctx.confirm(question))) return;
  const label = broker === undefined ? t('reassign.rebalanceTitle') : t('reassign.decommissionTitle', { id: broker });
  const withBar: RunLayout = (r) => [el('div', { class: 'overall' }, el('span', {}, t('install.overall')),
    el('progress', { id: 'reassign-overall', max: 1, value: r.result?.ok ? 1 : overall(r.progress, r.expectedPhases) })), ...layout(r)];
  const targets = [WIZARD, ...(host ? [hostTarget(host)] : [])];
  const handle = ctx.run.begin('manage', emptyProgress(targets), plan.phases.length, withBar);
  panel = null;
  if (broker === undefined) offered = null;
  ctx.rerender();
  try {
    const outcome = await ctx.backend.reassign(ctx.state.draft, request, runOptions(ctx.session), handle.onEvent);
    handle.end({ ok: true, text: doneLine(outcome, request.path ?? null) });
    if (outcome.project) ctx.reload(outcome.project);
  } catch (e) {
    const err = e as AppError;
    handle.end({ ok: false, text: err.code === 'cancelled' ? t('reassign.cancelled', { verb: label }) : `${label}: ${err.message}` }, true);
  }
  await done();
}

function pickView(ctx: Ctx, busy: boolean, close: HTMLElement): HTMLElement {
  const brokers = brokerChoices(ctx.state.draft);
  if (picked === null || !brokers.some((b) => b.id === picked)) picked = brokers[brokers.length - 1]?.id ?? null;
  const held = decommissionHeld(ctx.state);
  return el('section', { id: 'reassign' }, el('h3', {}, t('reassign.pickTitle')),
    el('p', { class: 'muted' }, t('reassign.pickWhat')),
    el('label', {}, t('reassign.pick'), ' ',
      el('select', { id: 'decommission-broker', onchange: (e: Event) => { picked = Number((e.target as HTMLSelectElement).value); } },
        brokers.map((b) => el('option', { value: String(b.id), selected: b.id === picked }, `${b.id} — ${b.host}`)))),
    held ? el('p', { class: 'problem warning', id: 'decommission-save-first' }, t('reassign.saveFirst')) : null,
    el('div', { class: 'row' },
      el('button', { id: 'decommission-plan', class: 'primary', disabled: busy || held || picked === null, onclick: () => void loadPlan(ctx, picked) }, t('reassign.showPlan')),
      close));
}

function planView(ctx: Ctx, p: Extract<Panel, { kind: 'plan' }>, busy: boolean, layout: RunLayout, done: () => Promise<void>, close: HTMLElement): HTMLElement {
  const s = planSummary(p.plan);
  const broker = p.request.broker;
  const title = broker === undefined ? t('reassign.rebalanceTitle') : t('reassign.decommissionTitle', { id: broker });
  const shown = s.moves.slice(0, 20);
  const held = broker !== undefined && decommissionHeld(ctx.state);
  const throttle = el('input', { type: 'number', id: 'reassign-throttle', min: 1, value: String(throttleMb ?? s.throttleMb ?? 50),
    onchange: (e: Event) => {
      const v = Number((e.target as HTMLInputElement).value);
      const next = v >= 1 ? v : null;
      if (next === throttleMb) return; // the same value again (a blur after Enter): the plan read stands
      throttleMb = next;
      void loadPlan(ctx, broker ?? null);
    } });
  return el('section', { id: 'reassign', 'data-procedure': p.plan.procedure.kind }, el('h3', {}, title),
    s.balanced ? el('p', { class: 'ok', id: 'reassign-balanced' }, t('reassign.balanced'))
      : el('p', { id: 'reassign-what' }, t('reassign.moves', { n: s.moves.length, copies: s.copies, mb: s.throttleMb ?? throttleMb ?? 50 })),
    el('ol', { class: 'reassign-phases' }, p.plan.phases.map((ph) => el('li', { 'data-phase': ph.kind }, phaseLine(ph)))),
    shown.length ? el('ul', { class: 'reassign-moves muted' }, shown.map((m) => el('li', {}, m)),
      s.moves.length > shown.length ? el('li', {}, t('reassign.more', { n: s.moves.length - shown.length })) : null) : null,
    el('table', { class: 'status', id: 'reassign-spread' },
      el('thead', {}, el('tr', {}, el('th', {}, t('reassign.broker')), el('th', {}, t('reassign.replicas')), el('th', {}, t('reassign.leaders')))),
      el('tbody', {}, s.spread.map((b) => el('tr', { 'data-broker': String(b.broker) },
        el('td', {}, String(b.broker)), el('td', {}, `${b.replicas[0]} → ${b.replicas[1]}`), el('td', {}, `${b.leaders[0]} → ${b.leaders[1]}`))))),
    el('label', {}, t('reassign.throttle'), ' ', throttle),
    held ? el('p', { class: 'problem warning' }, t('reassign.saveFirst')) : null,
    el('div', { class: 'row' },
      el('button', { id: 'reassign-run', class: broker === undefined ? 'primary' : 'danger', disabled: busy || held,
        onclick: () => void run(ctx, p.request, p.plan, layout, done) },
        broker === undefined ? t('reassign.runRebalance') : t('reassign.runDecommission', { id: broker })),
      close));
}

/** The panel: the broker picker, the plan being read, the refusal or error, or the plan with Run and Close. */
export function reassignSection(ctx: Ctx, busy: boolean, layout: RunLayout, done: () => Promise<void>): HTMLElement | null {
  if (!panel) return null;
  if (panel.kind !== 'pick' && panel.key !== keyOf(ctx)) panel = null; // the draft changed: the plan is stale
  if (!panel) return null;
  const close = el('button', { id: 'reassign-close', onclick: () => { panel = null; ctx.rerender(); } }, t('reassign.close'));
  if (panel.kind === 'pick') return pickView(ctx, busy, close);
  const broker = panel.request.broker;
  const heading = el('h3', {}, broker === undefined ? t('reassign.rebalanceTitle') : t('reassign.decommissionTitle', { id: broker }));
  if (panel.kind === 'loading') return el('section', { id: 'reassign' }, heading, el('p', { class: 'muted', id: 'reassign-loading' }, t('reassign.reading')));
  if (panel.kind === 'error') {
    const refused = panel.error.code === 'reassign_refused';
    return el('section', { id: 'reassign' }, heading,
      refused ? el('p', {}, t('reassign.refused')) : null,
      el('p', { class: 'problem error', id: 'reassign-error', 'data-code': panel.error.code }, panel.error.message), close);
  }
  return planView(ctx, panel, busy, layout, done, close);
}
