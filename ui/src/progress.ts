// progress.ts — the Install / Manage progress model: folds the engine's events (in order, from the Channel)
// into per-host rows (current step, state, bytes moved), overall progress, the log, and which hosts failed
// (for Retry). Pure: `reduce(state, event)` returns a new state. Rows are keyed by the event's target — the
// wizard's own machine or a host by name — never by comparing a host's name with a reserved word.

import type { EngineEvent, Target } from './types.js';

export type HostState = 'waiting' | 'working' | 'done' | 'failed' | 'stopped';
export interface HostRow { target: Target; step: string; state: HostState; done: number; total: number | null; error?: string; changed: number; unchanged: number }
export interface LogLine { target: Target | null; kind: 'info' | 'warning' | 'error'; text: string }
/** The wizard's own machine (downloads, health checks). */
export const WIZARD: Target = { on: 'wizard' };
export function hostTarget(name: string): Target {
  return { on: 'host', name };
}
/** The key of a target's row: distinct for the wizard's machine and for every host name (`local` included). */
export function targetKey(t: Target): string {
  return t.on === 'wizard' ? 'wizard' : `host:${t.name}`;
}
export interface RunProgress {
  phases: { phase: string; title: string; finished: boolean }[];
  /** One row per target, in the order given to `emptyProgress` (then first seen), keyed by `targetKey`. */
  hosts: Map<string, HostRow>;
  log: LogLine[];
  /** Steps finished (changed or unchanged or failed). */
  stepsFinished: number;
  stepsStarted: number;
}

function newRow(target: Target): HostRow {
  return { target, step: '', state: 'waiting', done: 0, total: null, changed: 0, unchanged: 0 };
}

export function emptyProgress(targets: Target[]): RunProgress {
  const rows = new Map<string, HostRow>();
  for (const t of targets) rows.set(targetKey(t), newRow(t));
  return { phases: [], hosts: rows, log: [], stepsFinished: 0, stepsStarted: 0 };
}

/** The row of a target (a fresh one when the target has none yet). */
export function rowOf(p: RunProgress, target: Target): HostRow {
  return p.hosts.get(targetKey(target)) ?? newRow(target);
}

export function reduce(prev: RunProgress, e: EngineEvent): RunProgress {
  const p: RunProgress = { ...prev, hosts: new Map(prev.hosts), log: prev.log.slice(), phases: prev.phases.slice() };
  const put = (r: HostRow) => p.hosts.set(targetKey(r.target), r);
  switch (e.event) {
    case 'phase_started':
      p.phases.push({ phase: e.phase, title: e.title, finished: false });
      p.log.push({ target: null, kind: 'info', text: `▶ ${e.title}` });
      break;
    case 'phase_finished':
      p.phases = p.phases.map((ph) => (ph.phase === e.phase ? { ...ph, finished: true } : ph));
      break;
    case 'step_started': {
      const r = rowOf(p, e.target);
      if (r.state !== 'failed') put({ ...r, step: e.step, state: 'working', done: 0, total: null });
      p.stepsStarted++;
      break;
    }
    case 'progress': {
      const r = rowOf(p, e.target);
      put({ ...r, step: e.step, done: e.done, total: e.total });
      break;
    }
    case 'step_finished': {
      const r = rowOf(p, e.target);
      const changed = e.outcome.outcome === 'changed';
      put({ ...r, step: e.step, state: r.state === 'failed' ? 'failed' : 'done', changed: r.changed + (changed ? 1 : 0), unchanged: r.unchanged + (changed ? 0 : 1) });
      p.stepsFinished++;
      p.log.push({ target: e.target, kind: 'info', text: `${e.step}: ${changed ? (e.outcome as { detail: string }).detail : 'unchanged — ' + (e.outcome as { reason: string }).reason}` });
      break;
    }
    case 'step_failed': {
      const r = rowOf(p, e.target);
      put({ ...r, step: e.step, state: 'failed', error: e.error });
      p.stepsFinished++;
      p.log.push({ target: e.target, kind: 'error', text: `${e.step} FAILED: ${e.error}` });
      break;
    }
    case 'warning':
      p.log.push({ target: e.target, kind: 'warning', text: e.message });
      break;
    case 'log':
      p.log.push({ target: e.target, kind: 'info', text: e.message });
      break;
  }
  return p;
}

/** 0..1: finished phases over started ones, refined by steps (the engine does not announce totals up front). */
export function overall(p: RunProgress, expectedPhases: number): number {
  if (expectedPhases <= 0) return 0;
  const finished = p.phases.filter((ph) => ph.finished).length;
  const current = p.phases.some((ph) => !ph.finished) ? 0.5 : 0;
  return Math.min(1, (finished + current) / expectedPhases);
}

/** The run ended early (cancelled, or stopped by a failure elsewhere): rows still working were interrupted. */
export function stopped(prev: RunProgress): RunProgress {
  const hosts = new Map(prev.hosts);
  for (const [name, r] of hosts) if (r.state === 'working') hosts.set(name, { ...r, state: 'stopped' });
  return { ...prev, hosts };
}

/** The names of the hosts whose step failed (the wizard's machine is not a host). */
export function failedHosts(p: RunProgress): string[] {
  return [...p.hosts.values()].flatMap((r) => (r.state === 'failed' && r.target.on === 'host' ? [r.target.name] : []));
}

/** The bar's fraction for a row's byte progress, or null when there is no byte count for its step. */
export function bytesFraction(r: HostRow): number | null {
  if (r.total === null || r.total === 0 || r.state !== 'working') return r.total ? Math.min(1, r.done / r.total) : null;
  return Math.min(1, r.done / r.total);
}
