// types.ts — the data the backend and the UI exchange: the project draft (the TOML file's shape), problems,
// releases, review, engine events, status, the field schema. Each is generated from its Rust type into
// generated/ (ts-rs; `UPDATE_GOLDEN=1 cargo test` rewrites them) and re-exported here under the name the UI uses;
// only the UI's own types are written here.

import type { WizardStep } from './generated/WizardStep.js';

export type { ProjectDraft } from './generated/ProjectDraft.js';
export type { KafkaDraft } from './generated/KafkaDraft.js';
export type { ZookeeperDraft } from './generated/ZookeeperDraft.js';
export type { KraftDraft } from './generated/KraftDraft.js';
export type { SshDraft } from './generated/SshDraft.js';
export type { HostDraft } from './generated/HostDraft.js';

/** A validation problem; `message` is English, `message_ko` the same in Korean (shown by `problemMessage`). */
export type { Problem } from './generated/Problem.js';
export type { Severity } from './generated/Severity.js';
/**
 * One project field as the engine describes it (`field_schema`): `path` as validation problems name it, with `[]`
 * for any index (`hosts[].name`); the step that edits it; its default and an example, as text (null when none).
 */
export type { FieldInfo } from './generated/FieldInfo.js';

/** The wizard steps where project fields are edited (the field schema names one per field). */
export type FieldStep = WizardStep;
/** Every wizard step: the editing steps, then the two that act on the cluster. */
export type StepId = FieldStep | 'install' | 'manage';

/** A release of the catalog as the Version step lists it (`releases`). */
export type { ReleaseInfo as Release } from './generated/ReleaseInfo.js';

export type { GeneratedFile } from './generated/GeneratedFile.js';
export type { HostFiles } from './generated/HostFiles.js';
export type { Plan } from './generated/Plan.js';
export type { Phase } from './generated/Phase.js';
export type { HostStep as PlanStep } from './generated/HostStep.js';
export type { Health } from './generated/Health.js';
/** What a phase does: fetch on the wizard's machine, steps on hosts, or start a service then check health. */
export type { Work as PhaseWork } from './generated/Work.js';
export type { AppError } from './generated/AppError.js';
export type { ErrorCode } from './generated/ErrorCode.js';
export type { Review } from './generated/Review.js';
export type { ExportFormat } from './generated/ExportFormat.js';

export type { ConnectionReport } from './generated/ConnectionReport.js';

export type { Outcome } from './generated/Outcome.js';
/** Where an event happens: the wizard's own machine, or a host of the project by name. */
export type { Target } from './generated/Target.js';
/** What the engine reports while it works (the Channel of deploy and start/stop/restart). */
export type { Event as EngineEvent } from './generated/Event.js';

export type { DeploySummary } from './generated/DeploySummary.js';
export type { UnitStatus } from './generated/UnitStatus.js';
export type { HostStatus } from './generated/HostStatus.js';
export type { Role } from './generated/Role.js';
export type { ClusterStatus } from './generated/ClusterStatus.js';
export type { RunOptions } from './generated/RunOptions.js';
export type { Verb } from './generated/Verb.js';
export type { OpenedProject as Opened } from './generated/OpenedProject.js';

/** Files a native dialog lists. */
export type { FileFilter } from './generated/FileFilter.js';
/** A native file dialog (src-tauri commands::dialogs::PickRequest): open a file, save a file, or pick a folder. */
export type { PickRequest } from './generated/PickRequest.js';
