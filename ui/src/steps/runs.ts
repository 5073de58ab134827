// steps/runs.ts — the project's run logs, kept by the engine for every install and Manage operation (as the CLI
// keeps them): Save log… after a run (the newest log, copied to a file chosen in the save dialog) on Install and
// Manage, and the Runs list on Manage (read when opened: when each started, what it did, how it ended, its size,
// Save… for each). Owns the list last read and the last save's result.

import { type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { runLogPick } from '../file-picks.js';
import { t } from '../i18n.js';
import type { RunEntry } from '../types.js';

let runs: RunEntry[] | null = null;
let open = false;
let saved: { ok: boolean; text: string } | null = null;

/** Forgets the list and the last result (another project was loaded). */
export function resetRuns(): void {
  runs = null;
  saved = null;
}

async function load(ctx: Ctx): Promise<RunEntry[]> {
  try {
    runs = await ctx.backend.runLogs(ctx.state.draft);
  } catch (e) {
    runs = [];
    saved = { ok: false, text: (e as { message: string }).message };
  }
  return runs;
}

async function save(ctx: Ctx, entry: RunEntry | undefined): Promise<void> {
  if (!entry) {
    saved = { ok: false, text: t('runs.none') };
    return ctx.rerender();
  }
  const out = await ctx.pickPath(runLogPick(ctx.state.draft, entry.file, ctx.state.path, ctx.session.recent));
  if (!out) return;
  try {
    saved = { ok: true, text: t('runs.saved', { path: await ctx.backend.saveRunLog(ctx.state.draft, entry.file, out) }) };
  } catch (e) {
    saved = { ok: false, text: (e as { message: string }).message };
  }
  ctx.rerender();
}

/** Save log…: the newest run's log (read afresh: the run just ended wrote it). */
export function saveLogButton(ctx: Ctx, disabled: boolean): HTMLElement {
  return el('button', { id: 'save-log', disabled, onclick: async () => void save(ctx, (await load(ctx))[0]) }, t('runs.saveLog'));
}

/** The last save's result, where Save log… is. */
export function savedLine(): HTMLElement | null {
  return saved ? el('p', { id: 'save-log-result', class: saved.ok ? 'ok' : 'problem error' }, saved.text) : null;
}

const resultClass = (r: string | null) => (r === 'succeeded' ? 'ok' : r === null ? '' : 'bad');

/** The Runs list: read each time it is opened. */
export function runsSection(ctx: Ctx): HTMLElement {
  const rows = (runs ?? []).map((r, i) => el('tr', { 'data-run': r.file },
    el('td', {}, r.started_utc), el('td', {}, r.verb),
    el('td', {}, el('span', { class: `pill ${resultClass(r.result)}`, title: r.error ?? '' }, r.result ?? t('runs.unfinished'))),
    el('td', {}, `${Math.max(1, Math.round(r.bytes / 1024))} KiB`),
    el('td', {}, el('button', { class: 'small', id: `save-run-${i}`, onclick: () => void save(ctx, r) }, t('runs.save')))));
  return el('details', { id: 'runs', class: 'runs', open,
    ontoggle: async (e: Event) => {
      // a redrawn <details open> fires toggle too: only a change of the user's choice reads the list
      const now = (e.target as HTMLDetailsElement).open;
      if (now === open) return;
      open = now;
      if (open) { await load(ctx); ctx.rerender(); }
    } },
    el('summary', {}, t('runs.title')),
    runs === null ? null : runs.length === 0 ? el('p', { class: 'empty' }, t('runs.none'))
      : el('table', { class: 'status' }, el('thead', {}, el('tr', {}, ...['runs.started', 'runs.verb', 'runs.result', 'runs.size', ''].map((k) => el('th', {}, k ? t(k as Parameters<typeof t>[0]) : '')))), el('tbody', {}, rows)));
}
