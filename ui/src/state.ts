// state.ts — the wizard's state and the pure edits the steps make on the project draft: the current step, dirty
// tracking and the window title, hosts (add, remove, paste a list of names, auto-number ids), data dirs
// (add/remove/reorder), the coordination mode. No DOM here, so it is unit-tested headless.

import type { HostDraft, Problem, ProjectDraft, StepId } from './types.js';

export interface WizardState {
  step: StepId;
  draft: ProjectDraft;
  /** The file this project was opened from / saved to; null for a new project. */
  path: string | null;
  /** JSON of the draft as last saved or opened, to tell unsaved changes. */
  savedJson: string;
  problems: Problem[];
}

export function initialState(draft: ProjectDraft, path: string | null = null): WizardState {
  return { step: 'version', draft, path, savedJson: JSON.stringify(draft), problems: [] };
}

export function isDirty(s: WizardState): boolean {
  return JSON.stringify(s.draft) !== s.savedJson;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

export function windowTitle(s: WizardState, untitled = 'Untitled'): string {
  const name = s.path ? baseName(s.path) : untitled;
  return `${isDirty(s) ? '● ' : ''}${name} — Kafka Cluster Wizard`;
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The coordination mode the draft will get: explicit, else the release default; null when the user must choose. */
export function effectiveMode(draft: ProjectDraft, defaultMode: 'kraft' | 'zookeeper' | null): 'kraft' | 'zookeeper' | null {
  const m = draft.kafka.mode;
  if (m === 'kraft' || m === 'zookeeper') return m;
  return defaultMode;
}

/** Switches mode and keeps only the matching section ([zookeeper] or [kraft]); roles follow the mode. */
export function setMode(draft: ProjectDraft, mode: 'kraft' | 'zookeeper'): ProjectDraft {
  const d = clone(draft);
  d.kafka.mode = mode;
  if (mode === 'kraft') {
    delete d.zookeeper;
    d.kraft = d.kraft ?? {};
    for (const h of d.hosts ?? []) {
      if (h.roles.includes('zookeeper')) h.roles = h.roles.filter((r) => r !== 'zookeeper').concat(h.roles.includes('controller') ? [] : ['controller']);
      delete h.zookeeper_id;
    }
  } else {
    delete d.kraft;
    d.zookeeper = d.zookeeper ?? {};
    for (const h of d.hosts ?? []) {
      if (h.roles.includes('controller')) h.roles = h.roles.filter((r) => r !== 'controller').concat(h.roles.includes('zookeeper') ? [] : ['zookeeper']);
    }
  }
  return d;
}

export function addHost(draft: ProjectDraft, host: Partial<HostDraft> = {}): ProjectDraft {
  const d = clone(draft);
  d.hosts = d.hosts ?? [];
  d.hosts.push({ name: '', roles: ['broker'], ...host });
  return d;
}

export function removeHost(draft: ProjectDraft, index: number): ProjectDraft {
  const d = clone(draft);
  d.hosts = (d.hosts ?? []).filter((_, i) => i !== index);
  return d;
}

/** Host names from pasted text (one per line, or separated by spaces/commas); names already present are skipped. */
export function pastedHostNames(text: string, existing: string[]): string[] {
  const seen = new Set(existing);
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const name = raw.trim();
    if (!name || seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

export function pasteHosts(draft: ProjectDraft, text: string, role: string): ProjectDraft {
  let d = draft;
  for (const name of pastedHostNames(text, (draft.hosts ?? []).map((h) => h.name))) d = addHost(d, { name, roles: [role] });
  return d;
}

/** Numbers ids in host order: broker/controller ids 1..n, ZooKeeper myids 1..m; ids of other hosts are removed. */
export function autoNumber(draft: ProjectDraft): ProjectDraft {
  const d = clone(draft);
  let id = 1;
  let myid = 1;
  for (const h of d.hosts ?? []) {
    if (h.roles.includes('broker') || h.roles.includes('controller')) h.id = id++;
    else delete h.id;
    if (h.roles.includes('zookeeper')) h.zookeeper_id = myid++;
    else delete h.zookeeper_id;
  }
  return d;
}

export function toggleRole(draft: ProjectDraft, index: number, role: string, on: boolean): ProjectDraft {
  const d = clone(draft);
  const h = (d.hosts ?? [])[index];
  if (!h) return d;
  h.roles = on ? [...new Set([...h.roles, role])] : h.roles.filter((r) => r !== role);
  return d;
}

/** Moves item `i` of a list by `delta` (reorder data dirs); out-of-range moves change nothing. */
export function move<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return list.slice();
  const out = list.slice();
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/**
 * A dynamic quorum's bootstrap controllers saved with its cluster id, as the CLI's first deploy does
 * (`kraft.bootstrap_controllers`: the controllers' ids at creation, so adding or removing another controller later
 * changes no other node's files). Null when there is nothing to save (static, set already, or no controller id).
 */
export function bootstrapControllersToSave(draft: ProjectDraft): number[] | null {
  if (draft.kraft?.quorum !== 'dynamic' || draft.kraft.bootstrap_controllers !== undefined) return null;
  const ids = (draft.hosts ?? [])
    .filter((h) => h.roles.includes('controller') && typeof h.id === 'number')
    .map((h) => h.id as number)
    .sort((a, b) => a - b);
  return ids.length ? ids : null;
}

/** Sets a value by a project field path (`kafka.heap`, `hosts[2].rack`, `ssh.port`); '' / undefined removes it. */
export function setField(draft: ProjectDraft, path: string, value: unknown): ProjectDraft {
  const d = clone(draft) as unknown as Record<string, unknown>;
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let obj: Record<string, unknown> = d;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i];
    const nextIsIndex = /^\d+$/.test(parts[i + 1]);
    if (obj[k] === undefined || obj[k] === null) obj[k] = nextIsIndex ? [] : {};
    obj = obj[k] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (value === '' || value === undefined || (typeof value === 'number' && Number.isNaN(value))) delete obj[last];
  else obj[last] = value;
  return d as unknown as ProjectDraft;
}

export function getField(draft: ProjectDraft, path: string): unknown {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let obj: unknown = draft;
  for (const k of parts) {
    if (obj === undefined || obj === null) return undefined;
    obj = (obj as Record<string, unknown>)[k];
  }
  return obj;
}
