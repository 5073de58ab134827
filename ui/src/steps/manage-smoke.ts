// steps/manage-smoke.ts — Manage's Smoke test: the button, the run (the engine's events in the run area Manage
// shares) and the report it shows — the verdict with every failure (each naming its broker), which broker leads
// which partition, each partition's counts, produce latency and what became of the temporary topic. Owns the last
// report.

import type { Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress } from '../progress.js';
import { logPane, resultLine, type RunLayout } from '../run-area.js';
import type { SmokeReport } from '../types.js';

/** The last smoke test's report (null: none for this project, or another operation ran since). */
let report: SmokeReport | null = null;

/** Forgets the report (another project, or another operation). */
export function resetSmoke(): void {
  report = null;
}

/** The verdict line of a report. */
export function smokeVerdict(r: SmokeReport): string {
  if (r.passed) return t('smoke.passed', { n: r.read_back });
  if (r.cancelled && r.failures.length === 0) return t('smoke.cancelled');
  return t('smoke.failed');
}

/** The run's log, and its result line only when there is no report to show (the report says it all). */
const layout: RunLayout = (run) => [...(report ? [] : resultLine('op-result', run)), logPane(run.progress)];

async function runSmoke(ctx: Ctx): Promise<void> {
  report = null;
  const run = ctx.run.begin('manage', emptyProgress([]), 1, layout);
  ctx.rerender();
  try {
    report = await ctx.backend.smoke(ctx.state.draft, {}, run.onEvent);
    run.end({ ok: report.passed, text: smokeVerdict(report) }, !report.passed);
  } catch (e) {
    run.end({ ok: false, text: `${t('manage.smoke')}: ${(e as { message: string }).message}` }, true);
  }
  if (ctx.state.step === 'manage') ctx.rerender();
}

/** The Smoke test button. */
export function smokeButton(ctx: Ctx, disabled: boolean): HTMLElement {
  return el('button', { id: 'op-smoke', disabled, onclick: () => void runSmoke(ctx) }, t('manage.smoke'));
}

/** The last report, or null. */
export function smokeSection(): HTMLElement | null {
  const r = report;
  if (!r) return null;
  const cleanup = r.cleanup.state === 'deleted' ? t('smoke.deleted')
    : r.cleanup.state === 'not_created' ? t('smoke.notCreated')
    : r.cleanup.state === 'pending' ? t('smoke.pending', { reason: r.cleanup.reason })
    : t('smoke.notDeleted', { reason: r.cleanup.reason });
  const l = r.latency;
  return el('section', { id: 'smoke-report', 'data-passed': String(r.passed) },
    el('p', { id: 'smoke-verdict', class: r.passed ? 'ok' : 'problem error' }, smokeVerdict(r)),
    r.failures.length ? el('ul', { id: 'smoke-failures' }, r.failures.map((f) => el('li', { class: 'problem error' }, f))) : null,
    el('p', { class: 'muted' }, t('smoke.topic', { topic: r.topic, rf: r.replication_factor, isr: r.min_insync_replicas, n: r.records })),
    el('table', { class: 'status', id: 'smoke-brokers' },
      el('thead', {}, el('tr', {}, el('th', {}, t('smoke.broker')), el('th', {}, t('manage.host')), el('th', {}, t('smoke.inCluster')), el('th', {}, t('smoke.leads')))),
      el('tbody', {}, r.brokers.map((b) => el('tr', { 'data-smoke-broker': b.id },
        el('td', {}, String(b.id)), el('td', {}, b.host),
        el('td', {}, el('span', { class: `pill ${b.in_cluster ? 'ok' : 'bad'}` }, b.in_cluster ? '✓' : '✕')),
        el('td', { class: 'leads' }, b.leads.length ? b.leads.join(', ') : '–'))))),
    r.partitions.length ? el('table', { class: 'status', id: 'smoke-partitions' },
      el('thead', {}, el('tr', {}, el('th', {}, t('smoke.partition')), el('th', {}, t('smoke.leader')), el('th', {}, t('smoke.replicas')), el('th', {}, t('smoke.acked')), el('th', {}, t('smoke.readBack')))),
      el('tbody', {}, r.partitions.map((p) => el('tr', { 'data-smoke-partition': p.partition },
        el('td', {}, String(p.partition)),
        el('td', {}, p.leader < 0 ? '–' : `${p.leader} (${p.leader_host})`),
        el('td', {}, `[${p.replicas.join(', ')}] / [${p.isr.join(', ')}]`),
        el('td', {}, String(p.acked)),
        el('td', {}, String(p.read_back), p.error ? el('div', { class: 'problem error' }, p.error) : null))))) : null,
    l ? el('p', { id: 'smoke-latency' }, t('smoke.latency', { p50: l.p50_ms, p99: l.p99_ms, max: l.max_ms, e2e: r.end_to_end_ms ?? '–' })) : null,
    el('p', { class: 'muted', id: 'smoke-cleanup' }, cleanup));
}
