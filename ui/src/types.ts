// types.ts — the data the backend and the UI exchange: the project draft (the TOML file's shape), problems,
// releases, review, engine events, status, the field schema. Each is generated from its Rust type into
// generated/ (ts-rs; `UPDATE_GOLDEN=1 cargo test` rewrites them) and re-exported here under the name the UI uses
// (the generated files carry the Rust docs); only the UI's own types are written here.

import type { WizardStep } from './generated/WizardStep.js';
import type { ProjectDraft } from './generated/ProjectDraft.js';
import type { SecurityDraft } from './generated/SecurityDraft.js';
import type { AclDraft } from './generated/AclDraft.js';
import type { KafkaDraft } from './generated/KafkaDraft.js';
import type { ZookeeperDraft } from './generated/ZookeeperDraft.js';
import type { KraftDraft } from './generated/KraftDraft.js';
import type { SshDraft } from './generated/SshDraft.js';
import type { HostDraft } from './generated/HostDraft.js';
import type { Problem } from './generated/Problem.js';
import type { Severity } from './generated/Severity.js';
import type { FieldInfo } from './generated/FieldInfo.js';
import type { ReleaseInfo } from './generated/ReleaseInfo.js';
import type { GeneratedFile } from './generated/GeneratedFile.js';
import type { HostFiles } from './generated/HostFiles.js';
import type { Plan } from './generated/Plan.js';
import type { Phase } from './generated/Phase.js';
import type { HostStep } from './generated/HostStep.js';
import type { Health } from './generated/Health.js';
import type { Work } from './generated/Work.js';
import type { AppError } from './generated/AppError.js';
import type { ErrorCode } from './generated/ErrorCode.js';
import type { Review } from './generated/Review.js';
import type { ExportFormat } from './generated/ExportFormat.js';
import type { ConnectionReport } from './generated/ConnectionReport.js';
import type { Outcome } from './generated/Outcome.js';
import type { Target } from './generated/Target.js';
import type { Event } from './generated/Event.js';
import type { DeploySummary } from './generated/DeploySummary.js';
import type { PreviewRow } from './generated/PreviewRow.js';
import type { PhaseKind } from './generated/PhaseKind.js';
import type { UnitStatus } from './generated/UnitStatus.js';
import type { HostStatus } from './generated/HostStatus.js';
import type { Role } from './generated/Role.js';
import type { ClusterStatus } from './generated/ClusterStatus.js';
import type { RunOptions } from './generated/RunOptions.js';
import type { Verb } from './generated/Verb.js';
import type { Migrate } from './generated/Migrate.js';
import type { MigrationReport } from './generated/MigrationReport.js';
import type { MigratedProject } from './generated/MigratedProject.js';
import type { OpenedProject } from './generated/OpenedProject.js';
import type { FileFilter } from './generated/FileFilter.js';
import type { PickRequest } from './generated/PickRequest.js';
import type { SmokeReport } from './generated/SmokeReport.js';
import type { SmokeRequest } from './generated/SmokeRequest.js';
import type { BrokerLeadership } from './generated/BrokerLeadership.js';
import type { PartitionOutcome } from './generated/PartitionOutcome.js';
import type { CaInfo } from './generated/CaInfo.js';
import type { BundleSummary } from './generated/BundleSummary.js';
import type { RunEntry } from './generated/RunEntry.js';
import type { ReassignPlan } from './generated/ReassignPlan.js';
import type { ReassignPhase } from './generated/ReassignPhase.js';
import type { ReassignRequest } from './generated/ReassignRequest.js';
import type { ReassignOutcome } from './generated/ReassignOutcome.js';
import type { Reassignment } from './generated/Reassignment.js';
import type { BrokerLoad } from './generated/BrokerLoad.js';
import type { BrokerNow } from './generated/BrokerNow.js';
import type { TrustedSigners } from './generated/TrustedSigners.js';
import type { SignerKey } from './generated/SignerKey.js';
import type { BuiltInSigner } from './generated/BuiltInSigner.js';
import type { ImportPreview } from './generated/ImportPreview.js';
import type { ImportCandidate } from './generated/ImportCandidate.js';
import type { Standing } from './generated/Standing.js';
import type { PreflightReport } from './generated/PreflightReport.js';
import type { PreflightRow } from './generated/PreflightRow.js';
import type { Verdict } from './generated/Verdict.js';
import type { FixReport } from './generated/FixReport.js';
import type { HostFixReport } from './generated/HostFixReport.js';
import type { FixRow } from './generated/FixRow.js';
import type { FixState } from './generated/FixState.js';

// The project file and its validation: the draft's sections, problems (`message` English, `message_ko` Korean),
// the field schema (each field's step, default and example), the catalog's releases.
export type { ProjectDraft, KafkaDraft, ZookeeperDraft, KraftDraft, SshDraft, HostDraft, SecurityDraft, AclDraft, Problem, Severity, FieldInfo };
export type { ReleaseInfo as Release };
// Review: generated files per host, the typed plan (phases: fetch, host steps, start + health), and what a deploy
// would change on the hosts (the dry run's rows, diffs included).
export type { GeneratedFile, HostFiles, Plan, Phase, PhaseKind, HostStep as PlanStep, Health, Work as PhaseWork, Review, PreviewRow };
// Errors at the UI boundary ({code, message}), exports, Test connection.
export type { AppError, ErrorCode, ExportFormat, ConnectionReport };
// Runs: engine events at a target (the wizard's machine or a host by name), their summary, status, options.
export type { Outcome, Target, Event as EngineEvent, DeploySummary, UnitStatus, HostStatus, Role, ClusterStatus };
export type { RunOptions, Verb, OpenedProject as Opened, FileFilter, PickRequest };
// A migration to KRaft: how far a run moves it, where the run left it, the project file rewritten after finalize.
export type { Migrate, MigrationReport, MigratedProject };
// Manage's smoke test: what may be asked, and the report (leadership per broker, each partition, latency, failures).
export type { SmokeRequest, SmokeReport, BrokerLeadership, PartitionOutcome };
// A secured cluster's CA as it may be shown (subject, SHA-256 fingerprint, validity; never a key).
export type { CaInfo, BundleSummary, RunEntry };
// Manage's Rebalance / Decommission broker…: the request, the engine's plan (phases, moves, spread before and after),
// what a run did.
export type { ReassignRequest, ReassignPlan, ReassignPhase, Reassignment, BrokerLoad, ReassignOutcome, BrokerNow };
// Trusted release signers…: the keys trusted to sign releases (the user's, the built-in ones), a key file's preview.
export type { TrustedSigners, SignerKey, BuiltInSigner, ImportPreview, ImportCandidate, Standing };
// Review's Check hosts: every host's checks (verdict, result, fix, the file of a fix the wizard makes), and Apply
// fixes…: per host what its fixes did or, previewed, would do.
export type { PreflightReport, PreflightRow, Verdict, FixReport, HostFixReport, FixRow, FixState };

/** The wizard steps where project fields are edited (the field schema names one per field). */
export type FieldStep = WizardStep;
/** Every wizard step: the editing steps, then the two that act on the cluster. */
export type StepId = FieldStep | 'install' | 'manage';
