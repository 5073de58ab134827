// diff.ts — what a deploy would change, as Review shows it: the engine's preview rows (the rows of
// `kafka-wizard deploy --dry-run`) grouped per target — changed files with their unified diffs, services that would
// (re)start and why, other changes, and how many steps are unchanged — and a unified diff split into lines, each
// with its kind, so added and removed lines can be coloured. Pure: tested headless.

import type { Phase, PreviewRow, Target } from './types.js';

/** A line of a unified diff: its header (`---`/`+++`), a hunk header (`@@`), an added, removed or context line. */
export type DiffLineKind = 'head' | 'hunk' | 'add' | 'del' | 'ctx';
export interface DiffLine { kind: DiffLineKind; text: string }

/** The lines of a unified diff with their kinds (the file headers are told from added/removed lines). */
export function diffLines(diff: string): DiffLine[] {
  if (diff === '') return [];
  let inHunk = false;
  return diff.replace(/\n$/, '').split('\n').map((text): DiffLine => {
    if (text.startsWith('@@')) {
      inHunk = true;
      return { kind: 'hunk', text };
    }
    if (!inHunk && (text.startsWith('--- ') || text.startsWith('+++ '))) return { kind: 'head', text };
    if (text.startsWith('+')) return { kind: 'add', text };
    if (text.startsWith('-')) return { kind: 'del', text };
    return { kind: 'ctx', text };
  });
}

/** How many lines a diff adds and removes. */
export function diffStat(diff: string): { added: number; removed: number } {
  const lines = diffLines(diff);
  return { added: lines.filter((l) => l.kind === 'add').length, removed: lines.filter((l) => l.kind === 'del').length };
}

/** What a deploy would change on one target. */
export interface TargetPreview {
  target: Target;
  /** Generated files that would change, each with its unified diff. */
  files: PreviewRow[];
  /** Services that would be started or restarted, each saying why. */
  services: PreviewRow[];
  /** Every other step that would change something (directories, the release, a file shown without diff, …). */
  other: PreviewRow[];
  unchanged: number;
}

/** The preview per target, in the order the targets first appear; `phases` (the plan's) tell which rows start services. */
export function previewByTarget(rows: PreviewRow[], phases: Phase[]): TargetPreview[] {
  const startPhases = new Set(phases.filter((p) => p.work.work === 'start').map((p) => p.name));
  const byKey = new Map<string, TargetPreview>();
  for (const row of rows) {
    const key = row.target.on === 'wizard' ? '' : `host:${row.target.name}`;
    let t = byKey.get(key);
    if (!t) byKey.set(key, (t = { target: row.target, files: [], services: [], other: [], unchanged: 0 }));
    if (!row.change) t.unchanged++;
    else if (row.diff !== undefined) t.files.push(row);
    else if (startPhases.has(row.phase)) t.services.push(row);
    else t.other.push(row);
  }
  return [...byKey.values()];
}

/** How many steps would change something, over every target. */
export function changeCount(rows: PreviewRow[]): number {
  return rows.filter((r) => r.change).length;
}
