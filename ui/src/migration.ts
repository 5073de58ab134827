// migration.ts — Manage's migration to KRaft, its pure part (no DOM, unit-tested headless): whether the project is
// migrating (ZooKeeper mode with hosts of the role "controller", the engine's `apply::migrate`), which of Migrate
// to KRaft / Finalize migration / Roll back migration Manage offers and why one is held back, the run options each
// sends, and when the project file is to be rewritten after a run (the app's `finish_migration`, which decides on
// the report itself).

import { effectiveMode, isDirty, type WizardState } from './state.js';
import type { DeploySummary, Migrate, MigrationReport, ProjectDraft, RunOptions } from './types.js';

/** A ZooKeeper-mode project with controller hosts: its cluster is to move to KRaft. */
export function isMigrating(draft: ProjectDraft, defaultMode: 'kraft' | 'zookeeper' | null): boolean {
  return effectiveMode(draft, defaultMode) === 'zookeeper' && (draft.hosts ?? []).some((h) => h.roles.includes('controller'));
}

/** Manage's migration buttons: none for a project that is not migrating. Finalize and Roll back rewrite the
 * project file, so they wait for the project to be saved (`rewriteHeld`, `unsaved`: no file yet, or changes not
 * saved). */
export interface MigrationOffer {
  advance: boolean;
  finalize: boolean;
  rollback: boolean;
  rewriteHeld: 'unsaved' | null;
}

export function migrationOffer(state: WizardState, defaultMode: 'kraft' | 'zookeeper' | null): MigrationOffer {
  if (!isMigrating(state.draft, defaultMode)) return { advance: false, finalize: false, rollback: false, rewriteHeld: null };
  const unsaved = state.path === null || isDirty(state);
  return { advance: true, finalize: true, rollback: true, rewriteHeld: unsaved ? 'unsaved' : null };
}

/** The run options of a migration run: the session's, with how far to move it. */
export function migrateOptions(base: RunOptions, migrate: Migrate): RunOptions {
  return { ...base, migrate };
}

/** The report to hand to `finish_migration` after a run (with the project's file), or null: no migration moved. */
export function migrationToFinish(summary: DeploySummary, path: string | null): MigrationReport | null {
  return summary.migration && path ? summary.migration : null;
}
