// file-picks.ts — what each native file dialog asks for: Open (a *.toml project), Save As (the project's name
// as the file name), Export (a folder, or a *.zip file): title, filter, the folder it starts in and the suggested
// name. Pure (no DOM), so tested headless; app.ts and step-review.ts show them through Backend.pickPath.

import { t } from './i18n.js';
import type { FileFilter, PickRequest, ProjectDraft } from './types.js';

const projectFilter = (): FileFilter => ({ name: t('pick.projectFiles'), extensions: ['toml'] });
const zipFilter = (): FileFilter => ({ name: t('pick.zipFiles'), extensions: ['zip'] });

/** The folder part of a path ('/a/b/c.toml' → '/a/b'); '/' for a file at the root, '.' for a bare name. */
export function folderOf(path: string): string {
  const i = path.replace(/[\\/]+$/, '').search(/[\\/][^\\/]*$/);
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}

/** Where a dialog starts: the current project's folder, else the most recent project's, else the dialog's default. */
export function startFolder(path: string | null, recent: string[]): string | undefined {
  const near = path ?? recent[0];
  return near ? folderOf(near) : undefined;
}

/** The project's name as a file name (without characters a file name cannot hold); 'cluster' without a name. */
export function fileStem(draft: ProjectDraft): string {
  const stem = (draft.name ?? '').trim().replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').replace(/^\.+/, '');
  return stem || 'cluster';
}

export function openProjectPick(path: string | null, recent: string[]): PickRequest {
  return { mode: 'open', title: t('pick.open'), filter: projectFilter(), directory: startFolder(path, recent) };
}

/** Save As: the project's name + `.toml`, in the folder of the current file. */
export function saveProjectPick(draft: ProjectDraft, path: string | null, recent: string[]): PickRequest {
  return { mode: 'save', title: t('pick.saveAs'), filter: projectFilter(), directory: startFolder(path, recent), file_name: `${fileStem(draft)}.toml` };
}

/** Export: a folder picker, or a save dialog for `<name>-export.zip`. */
export function exportPick(format: 'folder' | 'zip', draft: ProjectDraft, path: string | null, recent: string[]): PickRequest {
  const directory = startFolder(path, recent);
  return format === 'folder'
    ? { mode: 'folder', title: t('pick.exportFolder'), directory }
    : { mode: 'save', title: t('pick.exportZip'), filter: zipFilter(), directory, file_name: `${fileStem(draft)}-export.zip` };
}

/** Support bundle…: a save dialog for the zip, with the engine's suggested name (`<name>-support-<UTC time>.zip`). */
export function supportBundlePick(fileName: string, path: string | null, recent: string[]): PickRequest {
  return { mode: 'save', title: t('pick.supportBundle'), filter: zipFilter(), directory: startFolder(path, recent), file_name: fileName };
}

/** Save log…: a save dialog for a run log, named after the project and the log (`<name>-<log file>`). */
export function runLogPick(draft: ProjectDraft, file: string, path: string | null, recent: string[]): PickRequest {
  return { mode: 'save', title: t('pick.runLog'), filter: { name: t('pick.runLogs'), extensions: ['jsonl'] }, directory: startFolder(path, recent), file_name: `${fileStem(draft)}-${file}` };
}

/** Client config…: a folder for `user`'s client.properties and ca.pem, starting near the project. */
export function clientConfigPick(user: string, path: string | null, recent: string[]): PickRequest {
  return { mode: 'folder', title: t('pick.clientConfig', { user }), directory: startFolder(path, recent) };
}
