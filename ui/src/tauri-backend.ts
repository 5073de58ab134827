// tauri-backend.ts — the Backend over the Tauri app's commands (src-tauri/src/commands): invoke for requests,
// a Channel for the engine's event stream during deploy and start/stop/restart (in batches: the app sends at most
// ten a second, each folded event by event here). File dialogs are native
// (`pick_path` shows GTK's file chooser from Rust).

import { Channel, invoke } from '@tauri-apps/api/core';
import { getCurrentWindow } from '@tauri-apps/api/window';
import type { Backend, Verb } from './backend.js';
import type { EngineEvent, ProjectDraft, RunOptions } from './types.js';

function channel(onEvent: (e: EngineEvent) => void): Channel<EngineEvent[]> {
  const ch = new Channel<EngineEvent[]>();
  ch.onmessage = (batch) => { for (const e of batch) onEvent(e); };
  return ch;
}

export function tauriBackend(): Backend {
  return {
    kind: 'tauri',
    locale: async () => (await invoke<string | null>('system_locale')) ?? navigator.language,
    pickPath: (request) => invoke('pick_path', { request }),
    newProject: () => invoke('new_project'),
    openProject: (path) => invoke('open_project', { path }),
    saveProject: (path, draft, replace) => invoke('save_project', { path, draft, replace: replace ?? false }),
    recentProjects: () => invoke('recent_projects'),
    startupProject: () => invoke('startup_project'),
    exampleProject: (name) => invoke('example_project', { name }),
    thisMachineProject: () => invoke('this_machine_project'),
    validate: (draft) => invoke('validate_project', { draft }),
    releases: () => invoke('releases'),
    fieldSchema: () => invoke('field_schema'),
    newClusterId: () => invoke('new_cluster_id'),
    review: (draft) => invoke('review', { draft }),
    exportFiles: (draft, target, format, replace) => invoke('export_files', { draft, target, format, replace }),
    testConnection: (draft, index, acceptFingerprint, password, keyPassphrase, becomePassword) =>
      invoke('test_connection', { draft, index, acceptFingerprint, password, keyPassphrase, becomePassword }),
    previewDeploy: (draft, options) => invoke('preview_deploy', { draft, options }),
    preflight: (draft, options) => invoke('preflight_check', { draft, options }),
    preflightFix: (draft, options, dryRun) => invoke('preflight_fix', { draft, options, dryRun }),
    deploy: (draft: ProjectDraft, options: RunOptions, onEvent) => invoke('deploy', { draft, options, onEvent: channel(onEvent) }),
    finishMigration: (path, report) => invoke('finish_migration', { path, report }),
    operate: (draft: ProjectDraft, verb: Verb, options: RunOptions, onEvent) =>
      invoke('operate', { draft, verb, options, onEvent: channel(onEvent) }),
    status: (draft, options) => invoke('cluster_status', { draft, options }),
    previewReassign: (draft, request, options) => invoke('preview_reassign', { draft, request, options }),
    reassign: (draft, request, options, onEvent) => invoke('reassign', { draft, request, options, onEvent: channel(onEvent) }),
    smoke: (draft, request, onEvent) => invoke('smoke_test', { draft, request, onEvent: channel(onEvent) }),
    clusterCa: (draft) => invoke('cluster_ca', { draft }),
    clientConfig: (draft, user, directory) => invoke('client_config', { draft, user, directory }),
    runLogs: (draft) => invoke('run_logs', { draft }),
    saveRunLog: (draft, file, out) => invoke('save_run_log', { draft, file, out }),
    supportBundleName: (draft) => invoke('support_bundle_name', { draft }),
    supportBundle: (draft, options, projectPath, out) => invoke('support_bundle', { draft, options, projectPath, out }),
    trustedSigners: () => invoke('trusted_signers'),
    previewSignerImport: (path) => invoke('preview_signer_import', { path }),
    importSigners: (path, fingerprints) => invoke('import_signers', { path, fingerprints }),
    removeSigner: (fingerprint) => invoke('remove_signer', { fingerprint }),
    cancel: () => invoke('cancel_job'),
    setTitle: (title) => {
      document.title = title;
      return getCurrentWindow().setTitle(title);
    },
  };
}
