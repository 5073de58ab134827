// backend.ts — the ONE interface between the wizard and whatever does the work: the Tauri app's Rust commands
// (tauri-backend.ts) or an in-memory mock (mock-backend.ts) so the wizard runs in a plain browser for tests.
// Every method rejects with an AppError {code, message}. File paths come from `pickPath` (the OS's own file
// chooser in the app; scripted answers in the mock).

import type {
  BundleSummary, CaInfo, FixReport, PreflightReport, ClusterStatus, RunEntry, ConnectionReport, DeploySummary, EngineEvent, ExportFormat, FieldInfo, MigratedProject, MigrationReport, Opened, PickRequest, PreviewRow,
  Problem, ProjectDraft, ReassignOutcome, ReassignPlan, ReassignRequest, Release, Review, RunOptions, SmokeReport, SmokeRequest, TrustedSigners, ImportPreview, Verb,
} from './types.js';

export type { Verb };

export interface Backend {
  readonly kind: 'tauri' | 'mock';
  /** The OS locale (`ko_KR.UTF-8`, `en-US`), or null when unknown. */
  locale(): Promise<string | null>;
  /** A native file dialog: the chosen absolute path, or null when the user cancelled. */
  pickPath(request: PickRequest): Promise<string | null>;
  newProject(): Promise<ProjectDraft>;
  openProject(path: string): Promise<Opened>;
  /** `replace`: the user confirmed replacing a file that is not a project (the `not_a_project_file` error). */
  saveProject(path: string, draft: ProjectDraft, replace?: boolean): Promise<[string, string[]]>;
  recentProjects(): Promise<string[]>;
  /** The project file named on the app's command line, opened at start; null when none. */
  startupProject(): Promise<string | null>;
  /** An example project shipped with the app (`seed-cluster`: the guide's cluster; `kraft-cluster`), unsaved. */
  exampleProject(name: string): Promise<ProjectDraft>;
  /** "This machine": a one-node KRaft cluster on the machine the app runs on (`connection = "local"`), unsaved —
   * the project `kafka-wizard init --here` writes (the engine's `project::template::this_machine`). */
  thisMachineProject(): Promise<ProjectDraft>;
  validate(draft: ProjectDraft): Promise<Problem[]>;
  releases(): Promise<Release[]>;
  /** Every project field: the step that edits it, its default and an example (read once at start). */
  fieldSchema(): Promise<FieldInfo[]>;
  newClusterId(): Promise<string>;
  review(draft: ProjectDraft): Promise<Review>;
  exportFiles(draft: ProjectDraft, target: string, format: ExportFormat, replace: boolean): Promise<[string, number]>;
  testConnection(draft: ProjectDraft, index: number, acceptFingerprint: string | null, password: string | null, keyPassphrase: string | null, becomePassword: string | null): Promise<ConnectionReport>;
  /** What a deploy would change on every host (`deploy --dry-run`): connects and reads the hosts, changes nothing. */
  previewDeploy(draft: ProjectDraft, options: RunOptions): Promise<PreviewRow[]>;
  /** Every host checked before an install (`deploy --preflight-only`): ports, free space, Java, names, clocks, kernel
   * settings, the ports between the hosts; changes nothing. */
  preflight(draft: ProjectDraft, options: RunOptions): Promise<PreflightReport>;
  /** The fixes the wizard can make itself for the warnings found now (`--preflight-only --fix`): with `dryRun`, what
   * each host would get (the files written), nothing changed; else made and each host's outcome read back (one job:
   * `busy` while an install runs). */
  preflightFix(draft: ProjectDraft, options: RunOptions, dryRun: boolean): Promise<FixReport>;
  deploy(draft: ProjectDraft, options: RunOptions, onEvent: (e: EngineEvent) => void): Promise<DeploySummary>;
  /** After a run that moved a migration to KRaft (`DeploySummary.migration`): when it was finalized, the project file
   * at `path` rewritten to KRaft mode (checked valid first) and read again; null when there is nothing to rewrite.
   * Rejects with `migration_rewrite` (its message says what to set by hand) when the file cannot be rewritten. */
  finishMigration(path: string, report: MigrationReport): Promise<MigratedProject | null>;
  operate(draft: ProjectDraft, verb: Verb, options: RunOptions, onEvent: (e: EngineEvent) => void): Promise<void>;
  status(draft: ProjectDraft, options: RunOptions): Promise<ClusterStatus>;
  /** The plan of a rebalance, or of a decommission (`request.broker`; read from the saved file `request.path`), as
   * `rebalance --dry-run` prints it: reads the cluster, changes nothing. Rejects with `reassign_refused` (the engine's
   * reason, verbatim) when it cannot be done. */
  previewReassign(draft: ProjectDraft, request: ReassignRequest, options: RunOptions): Promise<ReassignPlan>;
  /** Runs it (one job at a time; Cancel stops the waiting, not the moves); a decommission's outcome carries the
   * project read again from its file, which no longer lists the broker. */
  reassign(draft: ProjectDraft, request: ReassignRequest, options: RunOptions, onEvent: (e: EngineEvent) => void): Promise<ReassignOutcome>;
  /** The smoke test (a temporary topic written with acks=all and read back); a report whether it passed or not. */
  smoke(draft: ProjectDraft, request: SmokeRequest, onEvent: (e: EngineEvent) => void): Promise<SmokeReport>;
  /** The secured cluster's CA (fingerprint, validity; never a key): the generated one once the secrets store has it,
   * or the provided one; null for a plaintext project or before the first Install. */
  clusterCa(draft: ProjectDraft): Promise<CaInfo | null>;
  /** Writes `user`'s client.properties and ca.pem (0600) into `directory`; the paths written. */
  clientConfig(draft: ProjectDraft, user: string, directory: string): Promise<string[]>;
  /** The project's run logs, newest first. */
  runLogs(draft: ProjectDraft): Promise<RunEntry[]>;
  /** Copies the run log `file` to `out` (a new file); the path written. */
  saveRunLog(draft: ProjectDraft, file: string, out: string): Promise<string>;
  /** The support bundle's suggested file name (the engine's rule). */
  supportBundleName(draft: ProjectDraft): Promise<string>;
  /** Collects the support bundle into `out` (a new zip); `projectPath` adds the project file's text. */
  supportBundle(draft: ProjectDraft, options: RunOptions, projectPath: string | null, out: string): Promise<BundleSummary>;
  /** The keys trusted to sign Kafka releases: the ones the user imported (here or with `kafka-wizard trust import`;
   * the same store), then the built-in Apache release managers'. */
  trustedSigners(): Promise<TrustedSigners>;
  /** The keys of the key file at `path`, each with its full fingerprint; stores nothing. Rejects with `key_file`
   * (naming the file) when it cannot be read or holds no public key. */
  previewSignerImport(path: string): Promise<ImportPreview>;
  /** Trusts exactly the keys `fingerprints` of the file at `path` (the ones the user confirmed); the keys afterwards. */
  importSigners(path: string, fingerprints: string[]): Promise<TrustedSigners>;
  /** Stops trusting an imported key; the keys afterwards. Rejects with `not_trusted` for a key not imported. */
  removeSigner(fingerprint: string): Promise<TrustedSigners>;
  cancel(): Promise<boolean>;
  setTitle(title: string): Promise<void>;
}
