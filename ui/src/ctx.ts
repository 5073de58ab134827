// ctx.ts — what a wizard step gets from the app (app.ts implements it; steps import this module, never app.ts):
// the wizard state, the backend, the session (what is never saved and more than one part uses), the run area
// Install and Manage share, the review of the current draft, and the app's services (edit the draft, navigate,
// notify, dialogs).

import type { Backend } from './backend.js';
import type { RunArea } from './run-area.js';
import type { WizardState } from './state.js';
import type { Opened, PickRequest, ProjectDraft, Release, Review, RunOptions, StepId } from './types.js';

/** What the current session knows that is never written to the project file and more than one step uses. */
export interface Session {
  /** The SSH password (Hosts' Test connection, Install, Manage); in memory only. */
  password: string;
  /** Passphrase of an encrypted key file; in memory only, like the password. */
  keyPassphrase: string;
  /** The SSH user's sudo password, for hosts whose sudo asks for one; in memory only, like the password. */
  becomePassword: string;
  /** Install Java where a host has none (chosen on Install, passed with every run). */
  installJava: boolean;
  /** Recent project files: the toolbar's list, and where the file dialogs start. */
  recent: string[];
}

export interface Ctx {
  readonly state: WizardState;
  readonly session: Session;
  readonly backend: Backend;
  readonly releases: Release[];
  /** The run Install and Manage show (one at a time): rows, log, result. */
  readonly run: RunArea;
  /** The review of the current draft (files, plan); null until Review loads it, and again after every edit. */
  review: Review | null;
  /** Replaces the draft; validation and title follow. `rerender` rebuilds the step (for structural changes). */
  update(draft: ProjectDraft, rerender?: boolean): void;
  rerender(): void;
  /** Takes the project as read again from its file (after Finalize migration rewrote it), staying on this step
   * with its run shown. */
  reload(opened: Opened): void;
  go(step: StepId): void;
  notify(text: string, ok?: boolean): void;
  /** Replaces the project with an example shipped with the app (asks first when there are unsaved changes). */
  fileExample(name: string): Promise<void>;
  /** Replaces the project with "This machine", a one-node KRaft cluster here (asks first when there are unsaved
   * changes). */
  fileThisMachine(): Promise<void>;
  /** Generates and sets `kraft.cluster_id` when the project is KRaft and has none (before Review, Export, Install). */
  ensureClusterId(): Promise<void>;
  confirm(question: string): Promise<boolean>;
  /** A native file dialog: the chosen path, or null when cancelled, failed (notified) or another one is open. */
  pickPath(request: PickRequest): Promise<string | null>;
}

/** The session's secrets and choices as a run's options (deploy, start/stop/restart, status). */
export function runOptions(session: Session): RunOptions {
  return { password: session.password || undefined, key_passphrase: session.keyPassphrase || undefined, become_password: session.becomePassword || undefined, install_java: session.installJava };
}
