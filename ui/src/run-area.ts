// run-area.ts — the run Install and Manage show: one run at a time (its step, per-host rows, log, result),
// started and ended through a handle, and the parts that draw it (rows with byte bars, the log, the result line).
// As events arrive only the `#run-area` element is redrawn (at most once a frame), never the step's buttons, so a
// click on Cancel is never lost to a redraw between press and release.

import { el } from './dom.js';
import { t } from './i18n.js';
import { bytesFraction, reduce, stopped, type RunProgress } from './progress.js';
import type { EngineEvent, Target } from './types.js';

/** How people read a target: the host's name, or "This machine". */
export function targetLabel(target: Target): string {
  return target.on === 'wizard' ? t('run.thisMachine') : target.name;
}

/** The step a run belongs to. */
export type RunKind = 'install' | 'manage';
/** How a run ended; `code`: a failed run's error code, for an offer beside it (e.g. Recover secrets…). */
export interface RunResult { ok: boolean; text: string; code?: string }

/** A run's state as the views read it. */
export interface Run {
  readonly kind: RunKind;
  readonly progress: RunProgress;
  readonly running: boolean;
  readonly result: RunResult | null;
  /** How many phases the run should have (for the overall bar; the engine does not announce totals). */
  readonly expectedPhases: number;
}

/** How a step lays out its run inside `#run-area`: the parts, in order. */
export type RunLayout = (run: Run) => HTMLElement[];

/** What the step that started a run uses to feed it. */
export interface RunHandle {
  /** Folds an engine event into the run and redraws the area (pass it to the backend). */
  onEvent(e: EngineEvent): void;
  /** The run ended with this result; `early` (cancelled, failed) marks rows still working as stopped. */
  end(result: RunResult, early?: boolean): void;
}

interface LiveRun extends Run {
  progress: RunProgress;
  running: boolean;
  result: RunResult | null;
  layout: RunLayout;
}

export class RunArea {
  private current: LiveRun | null = null;
  private redrawPending = false;

  /** The run to show on the step of `kind`: the last run when it was that step's, else null. */
  shown(kind: RunKind): Run | null {
    return this.current?.kind === kind ? this.current : null;
  }

  /** A run (of either step) is in progress. */
  get running(): boolean {
    return this.current?.running === true;
  }

  /** Shows a new run from now on (the previous one is forgotten) and returns the handle that feeds it. */
  begin(kind: RunKind, progress: RunProgress, expectedPhases: number, layout: RunLayout): RunHandle {
    const run: LiveRun = { kind, progress, running: true, result: null, expectedPhases, layout };
    this.current = run;
    return {
      onEvent: (e) => {
        run.progress = reduce(run.progress, e);
        if (run === this.current) this.scheduleRedraw();
      },
      end: (result, early = false) => {
        run.result = result;
        if (early) run.progress = stopped(run.progress);
        run.running = false;
      },
    };
  }

  /** Forgets the run (another project was loaded). */
  reset(): void {
    this.current = null;
  }

  /** The `#run-area` element with the run of `kind`, or null when there is none to show. */
  view(kind: RunKind): HTMLElement | null {
    const run = this.shown(kind);
    return run ? el('div', { id: 'run-area' }, this.current!.layout(run)) : null;
  }

  private scheduleRedraw(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      const area = document.getElementById('run-area');
      if (area && this.current) area.replaceChildren(...this.current.layout(this.current));
    });
  }
}

/** The run's rows: host, state, current step (with its error), and a byte bar while something is moved. */
export function progressTable(p: RunProgress): HTMLElement {
  return el('table', { class: 'progress-table' },
    el('tbody', {}, [...p.hosts.values()].map((r) => {
      const frac = bytesFraction(r);
      const who = r.target.on === 'wizard' ? { 'data-wizard-row': '' } : { 'data-host-row': r.target.name };
      return el('tr', { ...who, 'data-state': r.state },
        el('td', {}, el('strong', {}, targetLabel(r.target))),
        el('td', { class: `state ${r.state}` }, r.state),
        el('td', { class: 'step-name' }, r.step || '—', r.error ? el('div', { class: 'problem error' }, r.error) : null),
        el('td', {}, frac === null ? null : el('progress', { max: 1, value: frac })));
    })));
}

/** The run's log (its last 400 lines), scrolled to the end. */
export function logPane(p: RunProgress): HTMLElement {
  const pre = el('pre', { class: 'log', id: 'log' }, p.log.slice(-400).map((l) => el('div', { class: `log-${l.kind}` }, l.target ? `[${targetLabel(l.target)}] ${l.text}` : l.text)));
  requestAnimationFrame(() => { pre.scrollTop = pre.scrollHeight; });
  return pre;
}

/** The run's result line (none while it runs), with the element id the step gives it. */
export function resultLine(id: string, run: Run): HTMLElement[] {
  return run.result ? [el('p', { id, class: run.result.ok ? 'ok' : 'problem error' }, run.result.text)] : [];
}
