// types.ts — the data the backend and the UI exchange: the project draft (the TOML file's shape), problems,
// releases, review, engine events, status, the field schema. Mirrors the Rust serde types of the engine and src-tauri.

export interface SshDraft { user?: string; port?: number; identity_file?: string; known_hosts?: string; sudo?: boolean }
export interface HostDraft {
  name: string; address?: string; roles: string[]; id?: number; zookeeper_id?: number; rack?: string;
  data_dirs?: string[]; ssh?: SshDraft; connection?: string;
}
export interface KafkaDraft {
  version?: string; scala?: string; mode?: string; install_dir?: string; config_dir?: string; log_dir?: string;
  data_dirs?: string[]; listener_port?: number; heap?: string; user?: string; java_home?: string; mirror?: string;
  apache_url?: string; tarball?: string; properties?: Record<string, unknown>;
}
export interface ZookeeperDraft {
  chroot?: string; client_port?: number; quorum_port?: number; election_port?: number; data_dir?: string;
  log_dir?: string; heap?: string; tick_time?: number; init_limit?: number; sync_limit?: number; external?: string[];
}
export interface KraftDraft { cluster_id?: string; controller_port?: number }
export interface ProjectDraft {
  format: number; name?: string; kafka: KafkaDraft; zookeeper?: ZookeeperDraft; kraft?: KraftDraft; ssh?: SshDraft;
  hosts?: HostDraft[];
}

export type Severity = 'error' | 'warning';
/** A validation problem; `message` is English, `message_ko` the same in Korean (shown by `problemMessage`). */
export interface Problem { severity: Severity; field: string; message: string; message_ko: string }

/** The wizard steps where project fields are edited (the field schema names one per field). */
export type FieldStep = 'version' | 'hosts' | 'storage' | 'coordination' | 'review';
/** Every wizard step: the editing steps, then the two that act on the cluster. */
export type StepId = FieldStep | 'install' | 'manage';
/**
 * One project field as the engine describes it (`field_schema`): `path` as validation problems name it, with `[]`
 * for any index (`hosts[].name`); the step that edits it; its default and an example, as text (null when none).
 */
export interface FieldInfo { path: string; step: FieldStep; default: string | null; example: string | null }

export interface Release {
  version: string; scala: string[]; zookeeper: boolean; kraft: 'none' | 'early-access' | 'preview' | 'production';
  java: { min: number; max: number }; withdrawn: boolean; current: boolean; default_mode: 'kraft' | 'zookeeper' | null;
}

export interface GeneratedFile { path: string; content: string; mode: number; owner: string; purpose: string }
export interface HostFiles { host: string; files: GeneratedFile[] }
export interface PlanStep { step: string; [k: string]: unknown }
export interface Health { health: string; [k: string]: unknown }
/** What a phase does: fetch on the wizard's machine, steps on hosts, or start a service then check health. */
export type PhaseWork =
  | { work: 'fetch'; tarball: string; urls: string[]; checksum_urls: string[] }
  | { work: 'on_hosts'; hosts: { host: string; steps: PlanStep[] }[] }
  | { work: 'start'; service: string; hosts: string[]; health: Health[] };
export interface Plan { cluster: string; phases: { name: string; title: string; work: PhaseWork }[] }
export interface AppError { code: string; message: string }
export interface Review { problems: Problem[]; hosts: HostFiles[]; plan: Plan | null; render_error: AppError | null }

export interface ConnectionReport {
  host: string; reachable: boolean; host_key_ok: boolean; unknown_key: { key_type: string; fingerprint: string } | null;
  auth_ok: boolean; os: string | null; systemd: boolean | null; java: string | null; java_major: number | null; error: AppError | null;
}

export type Outcome = { outcome: 'changed'; detail: string } | { outcome: 'unchanged'; reason: string };
/** Where an event happens: the wizard's own machine, or a host of the project by name. */
export type Target = { on: 'wizard' } | { on: 'host'; name: string };
export type EngineEvent =
  | { event: 'phase_started'; phase: string; title: string; targets: Target[] }
  | { event: 'phase_finished'; phase: string }
  | { event: 'step_started'; target: Target; step: string }
  | { event: 'progress'; target: Target; step: string; done: number; total: number | null }
  | { event: 'step_finished'; target: Target; step: string; outcome: Outcome }
  | { event: 'step_failed'; target: Target; step: string; error: string }
  | { event: 'warning'; target: Target; message: string }
  | { event: 'log'; target: Target; message: string };

export interface DeploySummary { changed: number; unchanged: number; uploaded: Record<string, number>; started: string[] }
export interface UnitStatus { unit: string; enabled: string; active: string }
export interface HostStatus {
  host: string; roles: string[]; units: UnitStatus[] | null; listening: boolean | null; in_cluster: boolean | null; error: string | null;
}
export interface ClusterStatus { hosts: HostStatus[]; checks: [string, { Ok?: string; Err?: string }][]; healthy: boolean }
export interface RunOptions { password?: string; key_passphrase?: string; install_java?: boolean; accepted_keys?: [string, string][]; health_timeout_secs?: number }
export interface Opened { path: string; draft: ProjectDraft; problems: Problem[]; recent: string[] }

/** Files a native dialog lists. */
export interface FileFilter { name: string; extensions: string[] }
/** A native file dialog (src-tauri commands::dialogs::PickRequest): open a file, save a file, or pick a folder. */
export interface PickRequest { mode: 'open' | 'save' | 'folder'; title: string; filter?: FileFilter; directory?: string; file_name?: string }
