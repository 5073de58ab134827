// rotate-ca.ts — Manage's Rotate CA…, its pure part (no DOM, unit-tested headless): whether it is offered (a
// secured project whose CA the wizard generates: `security.ca = "generate"`, the engine's default within a
// [security] section; a provided CA is rotated by its owner), the run options it sends (a deploy with `rotate_ca`,
// the CLI's `deploy --rotate-ca`), and the engine's preview of it read as its three passes, each with what it does on
// every Kafka node, and how many other changes the same deploy would make.

import { placeholderOf } from './field-schema.js';
import { protectionOf } from './security.js';
import type { PhaseKind, PreviewRow, ProjectDraft, RunOptions } from './types.js';

/** The rotation's passes in the engine's order (`plan::rotate_ca`): trust both CAs, new certificates, drop the old. */
export const ROTATION_PASSES: readonly PhaseKind[] = ['ca-trust-both', 'ca-new-certificates', 'ca-drop-old'];

/** Rotate CA… is offered for a secured project whose CA the wizard generated. */
export function rotationOffered(draft: ProjectDraft): boolean {
  if (protectionOf(draft) === 'plaintext') return false;
  return (draft.security?.ca ?? placeholderOf('security.ca') ?? 'generate') === 'generate';
}

/** The run options of a rotation (its preview and its run): the session's, with `rotate_ca`. */
export function rotateOptions(base: RunOptions): RunOptions {
  return { ...base, rotate_ca: true };
}

export interface RotationNode { host: string; change: boolean; detail: string }
export interface RotationPass { phase: PhaseKind; step: string; nodes: RotationNode[] }
export interface RotationPlan {
  passes: RotationPass[];
  /** Passes with something left to do (a rotation stopped part-way is continued, its done passes skipped). */
  toRun: number;
  /** Other changes the same deploy would make (the draft differs from the hosts): the rotation applies them too. */
  otherChanges: number;
}

/** The engine's preview of a deploy with `rotate_ca`, as the passes of the rotation. */
export function rotationPlan(rows: PreviewRow[]): RotationPlan {
  const passes = ROTATION_PASSES.flatMap((phase): RotationPass[] => {
    const mine = rows.filter((r) => r.phase === phase);
    if (mine.length === 0) return [];
    return [{ phase, step: mine[0].step, nodes: mine.map((r) => ({ host: r.target.on === 'host' ? r.target.name : '', change: r.change, detail: r.detail })) }];
  });
  const otherChanges = rows.filter((r) => r.change && !ROTATION_PASSES.includes(r.phase)).length;
  return { passes, toRun: passes.filter((p) => p.nodes.some((n) => n.change)).length, otherChanges };
}
