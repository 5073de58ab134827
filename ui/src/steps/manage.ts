// steps/manage.ts — Manage: the dashboard (manage-dashboard.ts: the cluster at a glance, brokers, quorum or
// ensemble, disks, problems with their fix, the live topology), status per host (units, process listening, in
// cluster) and the cluster checks;
// Start / Stop / Restart (rolling) after a confirmation, with the engine's events in the run area it shares with
// Install; Restart anyway (forced, warned) when a roll was refused because the cluster was unhealthy; Finalize upgrade
// (a version upgrade's last phase, confirmed: deploy with finalize_upgrade); for a project migrating to KRaft, Migrate
// to KRaft, Finalize migration and Roll back migration (confirmed: deploy with `migrate`; after finalize the project file is rewritten to
// KRaft mode and reloaded — migration.ts decides what is offered and sent); Refresh, by hand or every 10 s; the Smoke test (manage-smoke.ts); Support bundle… (manage-bundle.ts); for a secured cluster its CA and Client config…
// (security-client.ts); for a project whose CA the wizard generates, Rotate CA… (manage-rotate.ts: its plan
// reviewed, then run here); Rebalance… and Decommission broker… (manage-reassign.ts: the engine's plan or refusal,
// then the run here; after a deploy that added brokers, the rebalance offer; a dynamic project whose nodes still run
// the static quorum, Convert quorum… (manage-convert.ts)). Owns the status last read and whether
// forcing is offered.

import type { Verb } from '../backend.js';
import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { migrateOptions, migrationOffer, migrationToFinish } from '../migration.js';
import { emptyProgress, hostTarget } from '../progress.js';
import { logPane, progressTable, resultLine, type Run } from '../run-area.js';
import type { AppError, ClusterStatus, Migrate } from '../types.js';
import { bundleButton, bundleSection, resetBundle } from './manage-bundle.js';
import { dashboardView } from './manage-dashboard.js';
import { resetRuns, runsSection, saveLogButton, savedLine } from './runs.js';
import { resetRotate, rotateButton, rotateSection } from './manage-rotate.js';
import { convertOffer, convertSection, resetConvert } from './manage-convert.js';
import { recoverButton } from './manage-recover.js';
import { offerRebalance, reassignButtons, reassignSection, rebalanceOfferView, resetReassign } from './manage-reassign.js';
import { rebalanceOffer } from '../reassign.js';
import { resetSmoke, smokeButton, smokeSection } from './manage-smoke.js';
import { caView, clientConfigView } from './security-client.js';

/** The cluster's status as last read (null: not read for this project), and whether a read is under way. */
let status: ClusterStatus | null = null;
let statusLoading = false;

/** Forgets the status (another project was loaded). */
export function resetManage(): void {
  status = null;
  forceOffered = false;
  resetSmoke();
  resetBundle();
  resetRuns();
  resetRotate();
  resetConvert();
  resetReassign();
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

/** A rolling restart was refused because the cluster was unhealthy before its first node: offer to force it. */
let forceOffered = false;

/** Start, stop or restart after a confirmation; `force` (Restart anyway) rolls although the cluster is unhealthy. */
async function operate(ctx: Ctx, verb: Verb, label: string, force = false): Promise<void> {
  const question = force ? t('manage.forceConfirm', { name: ctx.state.draft.name ?? '' }) : t('manage.confirm', { verb: label, name: ctx.state.draft.name ?? '' });
  if (!(await ctx.confirm(question))) return;
  forceOffered = false;
  resetSmoke();
  const run = ctx.run.begin('manage', emptyProgress((ctx.state.draft.hosts ?? []).map((h) => hostTarget(h.name))), 3, manageLayout);
  ctx.rerender();
  try {
    await ctx.backend.operate(ctx.state.draft, verb, { ...runOptions(ctx.session), force }, run.onEvent);
    run.end({ ok: true, text: `${label}: ok` });
  } catch (e) {
    const err = e as AppError;
    forceOffered = err.code === 'not_ready_to_roll';
    run.end({ ok: false, text: err.code === 'cancelled' ? t('manage.cancelled', { verb: label }) : `${label}: ${err.message}` }, true);
  }
  await refresh(ctx);
}

/** Finalize upgrade after a confirmation: the deploy with `finalize_upgrade` (engine: `apply::upgrade`). */
async function finalizeUpgrade(ctx: Ctx): Promise<void> {
  if (!(await ctx.confirm(t('manage.finalizeConfirm', { name: ctx.state.draft.name ?? '' })))) return;
  const label = t('manage.finalize');
  resetSmoke();
  const run = ctx.run.begin('manage', emptyProgress((ctx.state.draft.hosts ?? []).map((h) => hostTarget(h.name))), 3, manageLayout);
  ctx.rerender();
  try {
    offerRebalance(rebalanceOffer(await ctx.backend.deploy(ctx.state.draft, { ...runOptions(ctx.session), finalize_upgrade: true }, run.onEvent)));
    run.end({ ok: true, text: `${label}: ok` });
  } catch (e) {
    const err = e as AppError;
    run.end({ ok: false, text: err.code === 'cancelled' ? t('manage.cancelled', { verb: label }) : `${label}: ${err.message}` }, true);
  }
  await refresh(ctx);
}

/** Migrate to KRaft / Finalize migration / Roll back migration after a confirmation saying what it does: the
 * deploy with `migrate` (engine: `apply::migrate`). After a finalized run the project file is rewritten to KRaft
 * mode, after a rollback it loses its controllers (the app's `finish_migration`, as `kafka-wizard migrate
 * --finalize` / `--rollback` do), and the project is reloaded from it; a rewrite that fails is shown with what to
 * change by hand. */
async function migrate(ctx: Ctx, how: Migrate): Promise<void> {
  const name = ctx.state.draft.name ?? '';
  const path = ctx.state.path;
  const questions: Record<Migrate, string> = {
    advance: t('manage.migrateConfirm', { name }),
    finalize: t('manage.migrateFinalizeConfirm', { name, path: path ?? '' }),
    rollback: t('manage.migrateRollbackConfirm', { name, path: path ?? '' }),
  };
  if (!(await ctx.confirm(questions[how]))) return;
  const labels: Record<Migrate, string> = { advance: t('manage.migrate'), finalize: t('manage.migrateFinalize'), rollback: t('manage.migrateRollback') };
  const label = labels[how];
  resetSmoke();
  const run = ctx.run.begin('manage', emptyProgress((ctx.state.draft.hosts ?? []).map((h) => hostTarget(h.name))), 3, manageLayout);
  ctx.rerender();
  try {
    const summary = await ctx.backend.deploy(ctx.state.draft, migrateOptions(runOptions(ctx.session), how), run.onEvent);
    offerRebalance(rebalanceOffer(summary));
    const report = migrationToFinish(summary, path);
    const migrated = report && path ? await ctx.backend.finishMigration(path, report).catch((e: AppError) => {
      run.end({ ok: false, text: `${label}: ${e.message}` });
      return undefined;
    }) : null;
    if (migrated === undefined) {
      // the run is done, the file is not: the result line says what to set by hand
    } else if (migrated && report?.rolled_back) {
      const dropped = migrated.dropped.length ? ` ${t('manage.migrateRollbackDropped', { hosts: migrated.dropped.join(', ') })}` : '';
      run.end({ ok: true, text: t('manage.migrateRolledBack', { path: migrated.project.path }) + dropped });
      ctx.reload(migrated.project);
    } else if (migrated && report) {
      const dropped = migrated.dropped.length ? ` ${t('manage.migrateDropped', { hosts: migrated.dropped.join(', ') })}` : '';
      run.end({ ok: true, text: t('manage.migrateFinalized', { path: migrated.project.path, id: report.cluster_id }) + dropped });
      ctx.reload(migrated.project);
    } else {
      run.end({ ok: true, text: summary.migration?.stage === 'brokers_on_kraft' ? t('manage.migrateAdvanced') : `${label}: ok` });
    }
  } catch (e) {
    const err = e as AppError;
    run.end({ ok: false, text: err.code === 'cancelled' ? t('manage.cancelled', { verb: label }) : `${label}: ${err.message}` }, true);
  }
  await refresh(ctx);
}

/** The migration buttons of a project migrating to KRaft (none otherwise). */
function migrationButtons(ctx: Ctx, disabled: boolean): (HTMLElement | null)[] {
  const release = ctx.releases.find((r) => r.version === ctx.state.draft.kafka.version);
  const offer = migrationOffer(ctx.state, release?.default_mode ?? null);
  const held = offer.rewriteHeld === 'unsaved' ? t('manage.migrateSaveFirst') : undefined;
  const rewriting = (id: string, how: Migrate, text: string) => el('button', { id, class: 'danger', disabled: disabled || held !== undefined,
    title: held ?? '', onclick: () => void migrate(ctx, how) }, text);
  return [
    offer.advance ? el('button', { id: 'op-migrate', disabled, onclick: () => void migrate(ctx, 'advance') }, t('manage.migrate')) : null,
    offer.finalize ? rewriting('op-migrate-finalize', 'finalize', t('manage.migrateFinalize')) : null,
    offer.rollback ? rewriting('op-migrate-rollback', 'rollback', t('manage.migrateRollback')) : null,
  ];
}

/** The warning and the Restart anyway button, after a roll was refused. */
function forceOffer(ctx: Ctx): HTMLElement {
  return el('div', { id: 'force-offer', class: 'problem warning' }, t('manage.forceWarning'), ' ',
    el('button', { id: 'op-restart-force', class: 'danger', onclick: () => void operate(ctx, 'restart', t('manage.restart'), true) }, t('manage.force')));
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
    bundleButton(ctx, busy || hasErrors),
    el('button', { id: 'op-finalize-upgrade', disabled: busy || hasErrors, onclick: () => void finalizeUpgrade(ctx) }, t('manage.finalize')),
    ...migrationButtons(ctx, busy || hasErrors),
    rotateButton(ctx, busy || hasErrors),
    recoverButton(ctx, busy || hasErrors, manageLayout, () => refresh(ctx)),
    ...reassignButtons(ctx, busy || hasErrors),
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
    forceOffered && !busy && !hasErrors ? forceOffer(ctx) : null,
    rebalanceOfferView(ctx, busy || hasErrors, false),
    convertOffer(ctx, s, busy || hasErrors),
    s ? el('p', { id: 'health', class: s.healthy ? 'ok' : 'problem error' }, s.healthy ? t('manage.healthy') : t('manage.unhealthy')) : null,
    s ? dashboardView(ctx.state.draft, s) : null,
    table,
    s ? el('ul', { class: 'checks' }, s.checks.map(([name, r]) => el('li', { class: 'Ok' in r ? 'ok' : 'problem error' }, `${name}: ${'Ok' in r ? r.Ok : r.Err}`))) : null,
    rotateSection(ctx, busy || hasErrors, manageLayout, () => refresh(ctx)),
    convertSection(ctx, busy || hasErrors, manageLayout, () => refresh(ctx)),
    reassignSection(ctx, busy || hasErrors, manageLayout, () => refresh(ctx)),
    ctx.run.view('manage'),
    run && !run.running ? el('div', { class: 'row' }, saveLogButton(ctx, false)) : null,
    savedLine(),
    smokeSection(),
    bundleSection(),
    caView(ctx),
    clientConfigView(ctx),
    runsSection(ctx));
}
