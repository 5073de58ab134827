// steps/manage-reassign.ts — Manage's Rebalance…, Decommission broker… and Remove controller… (a dynamic KRaft
// quorum's dedicated controller; reassign.ts holds their pure part): the
// engine's plan read from the cluster first (`preview_reassign`, the CLI's `--dry-run`: phases, each move, the
// throttle, replicas and preferred leaders per broker before and after) or its refusal shown verbatim; then,
// confirmed, the run in the run area Install and Manage share — live rows, log and an overall bar, Cancel stops the
// waiting (moves asked for continue in Kafka) — and a decommission's project taken again from its rewritten file
// (`Ctx.reload`). Also the rebalance offer after a deploy added brokers (Install's, or Manage's Finalize upgrade,
// Migrate, Rotate CA…; Install and Manage show it, as the CLI's `rebalance_offer`). Owns the panel (broker or
// controller picker, plan with the engine's warnings, error), the throttle chosen and the offer.

import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, hostTarget, overall, WIZARD } from '../progress.js';
import { brokerChoices, controllerChoices, decommissionHeld, doneLine, phaseLine, planSummary, reassignRequest, removeControllerRequest } from '../reassign.js';
import type { RunLayout } from '../run-area.js';
import type { AppError, ReassignPlan, ReassignRequest } from '../types.js';

/** What the panel shows, for the draft it was read for (`key`). */
type Panel =
  | { kind: 'pick'; target: 'broker' | 'controller' }
  | { kind: 'loading'; key: string; request: ReassignRequest }
  | { kind: 'plan'; key: string; request: ReassignRequest; plan: ReassignPlan }
  | { kind: 'error'; key: string; request: ReassignRequest; error: AppError };

let panel: Panel | null = null;
let picked: number | null = null;
let pickedController: number | null = null;
let throttleMb: number | null = null;
/** Brokers a deploy added that hold nothing yet (null: no offer). */
let offered: string[] | null = null;

/** Forgets the panel, the choice and the offer (another project was loaded). */
export function resetReassign(): void {
  panel = null;
  picked = null;
  pickedController = null;
  throttleMb = null;
  offered = null;
}

/** After a deploy: offer Rebalance for these new brokers (null: none joined). */
export function offerRebalance(newBrokers: string[] | null): void {
  offered = newBrokers;
}

const keyOf = (ctx: Ctx) => JSON.stringify(ctx.state.draft);

/** The panel's title for `request`: a rebalance, a broker's decommission, or a controller's removal. */
function titleOf(request: ReassignRequest): string {
  if (request.controller !== undefined) return t('reassign.removeControllerTitle', { id: request.controller });
  return request.broker === undefined ? t('reassign.rebalanceTitle') : t('reassign.decommissionTitle', { id: request.broker });
}

async function loadPlan(ctx: Ctx, request: ReassignRequest): Promise<void> {
  const key = keyOf(ctx);
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
  void loadPlan(ctx, reassignRequest(null, throttleMb, ctx.state.path));
}

/** Rebalance…, Decommission broker… (only when the project has more than one broker) and Remove controller… (only
 * for a dynamic quorum's dedicated controllers, `controllerChoices`). */
export function reassignButtons(ctx: Ctx, disabled: boolean): (HTMLElement | null)[] {
  const reading = panel?.kind === 'loading';
  const brokers = brokerChoices(ctx.state.draft);
  const pick = (target: 'broker' | 'controller') => () => { panel = { kind: 'pick', target }; ctx.rerender(); };
  return [
    el('button', { id: 'op-rebalance', disabled: disabled || reading || brokers.length === 0, onclick: () => openRebalance(ctx) }, t('reassign.rebalance')),
    brokers.length > 1 ? el('button', { id: 'op-decommission', class: 'danger', disabled: disabled || reading, onclick: pick('broker') }, t('reassign.decommission')) : null,
    controllerChoices(ctx.state.draft).length ? el('button', { id: 'op-remove-controller', class: 'danger', disabled: disabled || reading, onclick: pick('controller') }, t('reassign.removeController')) : null,
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
  const controller = request.controller;
  const host = controller !== undefined
    ? controllerChoices(ctx.state.draft).find((c) => c.id === controller)?.host ?? ''
    : brokerChoices(ctx.state.draft).find((b) => b.id === broker)?.host ?? '';
  const question = controller !== undefined
    ? t('reassign.confirmRemoveController', { name, id: controller, host, path: request.path ?? '' })
    : broker === undefined
      ? t('reassign.confirmRebalance', { name, n: s.moves.length, mb })
      : t('reassign.confirmDecommission', { name, id: broker, host, mb, path: request.path ?? '' });
  if (!(await ctx.confirm(question))) return;
  const label = titleOf(request);
  const withBar: RunLayout = (r) => [el('div', { class: 'overall' }, el('span', {}, t('install.overall')),
    el('progress', { id: 'reassign-overall', max: 1, value: r.result?.ok ? 1 : overall(r.progress, r.expectedPhases) })), ...layout(r)];
  const targets = [WIZARD, ...(host ? [hostTarget(host)] : [])];
  const handle = ctx.run.begin('manage', emptyProgress(targets), plan.phases.length, withBar);
  panel = null;
  if (broker === undefined && controller === undefined) offered = null;
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

/** What the picker of each target shows and sends: its choices, texts, element ids and request. */
function pickerOf(ctx: Ctx, target: 'broker' | 'controller') {
  return target === 'controller'
    ? { choices: controllerChoices(ctx.state.draft), title: t('reassign.pickControllerTitle'), what: t('reassign.pickControllerWhat'),
        label: t('reassign.pickController'), select: 'remove-controller-id', button: 'remove-controller-plan',
        request: (id: number) => removeControllerRequest(id, ctx.state.path) }
    : { choices: brokerChoices(ctx.state.draft), title: t('reassign.pickTitle'), what: t('reassign.pickWhat'),
        label: t('reassign.pick'), select: 'decommission-broker', button: 'decommission-plan',
        request: (id: number) => reassignRequest(id, throttleMb, ctx.state.path) };
}

function pickView(ctx: Ctx, target: 'broker' | 'controller', busy: boolean, close: HTMLElement): HTMLElement {
  const held = decommissionHeld(ctx.state);
  const p = pickerOf(ctx, target);
  let chosen = target === 'controller' ? pickedController : picked;
  if (chosen === null || !p.choices.some((c) => c.id === chosen)) chosen = p.choices[p.choices.length - 1]?.id ?? null;
  const choose = (id: number | null) => { if (target === 'controller') pickedController = id; else picked = id; };
  choose(chosen);
  return el('section', { id: 'reassign' }, el('h3', {}, p.title),
    el('p', { class: 'muted' }, p.what),
    el('label', {}, p.label, ' ',
      el('select', { id: p.select, onchange: (e: Event) => choose(Number((e.target as HTMLSelectElement).value)) },
        p.choices.map((c) => el('option', { value: String(c.id), selected: c.id === chosen }, `${c.id} — ${c.host}`)))),
    held ? el('p', { class: 'problem warning', id: 'decommission-save-first' }, t('reassign.saveFirst')) : null,
    el('div', { class: 'row' },
      el('button', { id: p.button, class: 'primary', disabled: busy || held || chosen === null,
        onclick: () => { const id = target === 'controller' ? pickedController : picked; if (id !== null) void loadPlan(ctx, p.request(id)); } }, t('reassign.showPlan')),
      close));
}

function planView(ctx: Ctx, p: Extract<Panel, { kind: 'plan' }>, busy: boolean, layout: RunLayout, done: () => Promise<void>, close: HTMLElement): HTMLElement {
  const s = planSummary(p.plan);
  const { broker, controller } = p.request;
  const rebalance = broker === undefined && controller === undefined;
  const shown = s.moves.slice(0, 20);
  const held = !rebalance && decommissionHeld(ctx.state);
  const warnings = p.plan.warnings.length
    ? el('ul', { id: 'reassign-warnings' }, p.plan.warnings.map((w) => el('li', { class: 'problem warning' }, w))) : null;
  const runLabel = controller !== undefined ? t('reassign.runRemoveController', { id: controller })
    : rebalance ? t('reassign.runRebalance') : t('reassign.runDecommission', { id: broker ?? '' });
  const actions = el('div', { class: 'row' },
    el('button', { id: 'reassign-run', class: rebalance ? 'primary' : 'danger', disabled: busy || held,
      onclick: () => void run(ctx, p.request, p.plan, layout, done) }, runLabel),
    close);
  const phases = el('ol', { class: 'reassign-phases' }, p.plan.phases.map((ph) => el('li', { 'data-phase': ph.kind }, phaseLine(ph))));
  const saveFirst = held ? el('p', { class: 'problem warning' }, t('reassign.saveFirst')) : null;
  if (controller !== undefined) {
    // nothing moves: the voter leaves, its service stops, its host leaves the file
    return el('section', { id: 'reassign', 'data-procedure': p.plan.procedure.kind }, el('h3', {}, titleOf(p.request)),
      el('p', { id: 'reassign-what' }, t('reassign.removeControllerWhat')), phases, warnings, saveFirst, actions);
  }
  const throttle = el('input', { type: 'number', id: 'reassign-throttle', min: 1, value: String(throttleMb ?? s.throttleMb ?? 50),
    onchange: (e: Event) => {
      const v = Number((e.target as HTMLInputElement).value);
      const next = v >= 1 ? v : null;
      if (next === throttleMb) return; // the same value again (a blur after Enter): the plan read stands
      throttleMb = next;
      void loadPlan(ctx, reassignRequest(broker ?? null, throttleMb, ctx.state.path));
    } });
  return el('section', { id: 'reassign', 'data-procedure': p.plan.procedure.kind }, el('h3', {}, titleOf(p.request)),
    s.balanced ? el('p', { class: 'ok', id: 'reassign-balanced' }, t('reassign.balanced'))
      : el('p', { id: 'reassign-what' }, t('reassign.moves', { n: s.moves.length, copies: s.copies, mb: s.throttleMb ?? throttleMb ?? 50 })),
    phases,
    shown.length ? el('ul', { class: 'reassign-moves muted' }, shown.map((m) => el('li', {}, m)),
      s.moves.length > shown.length ? el('li', {}, t('reassign.more', { n: s.moves.length - shown.length })) : null) : null,
    el('table', { class: 'status', id: 'reassign-spread' },
      el('thead', {}, el('tr', {}, el('th', {}, t('reassign.broker')), el('th', {}, t('reassign.replicas')), el('th', {}, t('reassign.leaders')))),
      el('tbody', {}, s.spread.map((b) => el('tr', { 'data-broker': String(b.broker) },
        el('td', {}, String(b.broker)), el('td', {}, `${b.replicas[0]} → ${b.replicas[1]}`), el('td', {}, `${b.leaders[0]} → ${b.leaders[1]}`))))),
    el('label', {}, t('reassign.throttle'), ' ', throttle),
    warnings, saveFirst, actions);
}

/** The panel: the broker or controller picker, the plan being read, the refusal or error, or the plan with Run and
 * Close. */
export function reassignSection(ctx: Ctx, busy: boolean, layout: RunLayout, done: () => Promise<void>): HTMLElement | null {
  if (!panel) return null;
  if (panel.kind !== 'pick' && panel.key !== keyOf(ctx)) panel = null; // the draft changed: the plan is stale
  if (!panel) return null;
  const close = el('button', { id: 'reassign-close', onclick: () => { panel = null; ctx.rerender(); } }, t('reassign.close'));
  if (panel.kind === 'pick') return pickView(ctx, panel.target, busy, close);
  const heading = el('h3', {}, titleOf(panel.request));
  if (panel.kind === 'loading') return el('section', { id: 'reassign' }, heading, el('p', { class: 'muted', id: 'reassign-loading' }, t('reassign.reading')));
  if (panel.kind === 'error') {
    const refused = panel.error.code === 'reassign_refused';
    return el('section', { id: 'reassign' }, heading,
      refused ? el('p', {}, t('reassign.refused')) : null,
      el('p', { class: 'problem error', id: 'reassign-error', 'data-code': panel.error.code }, panel.error.message), close);
  }
  return planView(ctx, panel, busy, layout, done, close);
}
