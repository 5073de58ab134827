// preflight.ts — Check hosts' pure part (steps/review-preflight.ts draws it): the table's order (refusals first, then
// warnings, then the checks that passed, each group in the engine's host order), the words of a verdict and of a
// fix's outcome, and what Apply fixes… will do per host, read from the engine's preview (the files it writes, the
// settings it applies now) — the confirmation names exactly that.

import { t } from './i18n.js';
import type { FixReport, FixRow, PreflightReport, PreflightRow, Verdict } from './types.js';

const RANK: Record<Verdict, number> = { refuse: 0, warn: 1, pass: 2 };

/** The rows as the table shows them: refusals first, then warnings, then passed checks; stable otherwise. */
export function orderedRows(rows: PreflightRow[]): PreflightRow[] {
  return rows.map((row, i) => ({ row, i })).sort((a, b) => RANK[a.row.verdict] - RANK[b.row.verdict] || a.i - b.i).map((x) => x.row);
}

/** The checks that refuse an install. */
export function refusals(report: PreflightReport): PreflightRow[] {
  return report.rows.filter((r) => r.verdict === 'refuse');
}

/** The warnings whose fix the wizard can make itself (Apply fixes…). */
export function fixable(report: PreflightReport): PreflightRow[] {
  return report.rows.filter((r) => r.verdict === 'warn' && r.fix_file !== null);
}

export function verdictWord(v: Verdict): string {
  return t(v === 'refuse' ? 'preflight.refuse' : v === 'warn' ? 'preflight.warn' : 'preflight.pass');
}

/** What Apply fixes… does on one host, from the engine's preview. */
export interface HostPlan {
  host: string;
  /** The files written on the host (each once). */
  write: string[];
  /** The settings applied now (`vm.swappiness = 1`). */
  settings: string[];
  /** The host cannot be fixed: why (the preview could not read it). */
  error: string | null;
}

/** Per host of the preview that has something to do or cannot be fixed, in host order. */
export function fixPlan(preview: FixReport): HostPlan[] {
  return preview.hosts
    .map((h) => ({
      host: h.host,
      write: [...new Set(h.fixes.filter((f) => f.written).map((f) => f.file))],
      settings: h.fixes.map((f) => f.setting),
      error: h.error,
    }))
    .filter((p) => p.settings.length > 0 || p.error !== null);
}

/** Whether the preview has any fix to make (a host that only fails has none). */
export function planHasFixes(plan: HostPlan[]): boolean {
  return plan.some((p) => p.settings.length > 0);
}

/** One fix's outcome (or, previewed, what it would do), as the engine read it back. */
export function outcomeText(f: FixRow): string {
  const file = f.file;
  switch (f.state) {
    case 'planned': return t(f.written ? 'preflight.wouldKeep' : 'preflight.wouldApply', { file });
    case 'applied_now': return t(f.written ? 'preflight.keptApplied' : 'preflight.alreadyApplied', { file });
    case 'at_boot': return t(f.written ? 'preflight.keptAtBoot' : 'preflight.alreadyAtBoot', { file, why: f.why ?? '' });
  }
}
