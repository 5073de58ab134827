// steps/security-client.ts — what a secured cluster gives its clients, shown on Security, Review and Manage: the
// cluster's CA (SHA-256 fingerprint and expiry, read by the engine without any secret; the generated CA exists
// once the first Install made it) and Client config… (a user's client.properties + ca.pem, written by the engine
// into a folder chosen in the OS's dialog — the password goes from the secrets store to the file, never to the UI).
// Owns the CA last read (per project state) and the last client config's result.

import type { Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { placeholderOf } from '../field-schema.js';
import { clientConfigPick } from '../file-picks.js';
import { t } from '../i18n.js';
import { clientUsers, expiresSoon, protectionOf, utcDate } from '../security.js';
import type { AppError, CaInfo, ProjectDraft } from '../types.js';

/** The CA as last read, for the draft's security and cluster id (`key`); `loading` while a read is under way. */
let ca: { key: string; info: CaInfo | null; error: string | null } | null = null;
let loadingKey: string | null = null;
let chosenUser: string | null = null;
let written: { ok: boolean; text: string } | null = null;

/** Forgets the CA and the last result (another project was loaded, or a run may have made the CA). */
export function resetSecurityClient(): void {
  ca = null;
  loadingKey = null;
  written = null;
}

function caKey(d: ProjectDraft): string {
  return JSON.stringify([d.name, d.kraft?.cluster_id, d.security, (d.hosts ?? []).map((h) => [h.name, h.address])]);
}

async function loadCa(ctx: Ctx, key: string): Promise<void> {
  loadingKey = key;
  let next: typeof ca;
  try {
    next = { key, info: await ctx.backend.clusterCa(ctx.state.draft), error: null };
  } catch (e) {
    const err = e as AppError;
    // an invalid project shows its problems on their fields; only the store's own trouble is news here
    next = { key, info: null, error: err.code === 'invalid_project' ? null : err.message };
  }
  if (loadingKey !== key) return;
  loadingKey = null;
  ca = next;
  ctx.rerender();
}

/** The CA's fingerprint and expiry, or a word that it comes with the first Install; nothing for plaintext. */
export function caView(ctx: Ctx): HTMLElement | null {
  const d = ctx.state.draft;
  if (protectionOf(d) === 'plaintext') return null;
  const key = caKey(d);
  if (ca?.key !== key && loadingKey !== key) void loadCa(ctx, key);
  const shown = ca?.key === key ? ca : null;
  if (!shown) return null;
  if (shown.info) {
    const info = shown.info;
    return el('div', { id: 'ca-info', class: expiresSoon(info, Date.now()) ? 'problem warning' : 'ok', 'data-fingerprint': info.sha256_fingerprint, 'data-not-after': info.not_after },
      t('sec.caInfo', { fp: info.sha256_fingerprint, until: utcDate(info.not_after) }), ' ', el('small', { class: 'muted' }, `${info.subject} — ${t('sec.caFrom', { path: info.path })}`));
  }
  if (shown.error) return el('p', { id: 'ca-info', class: 'problem error' }, shown.error);
  return (d.security?.ca ?? placeholderOf('security.ca')) === 'generate' ? el('p', { id: 'ca-info', class: 'muted' }, t('sec.caNotYet')) : null;
}

async function writeClientConfig(ctx: Ctx, user: string): Promise<void> {
  const directory = await ctx.pickPath(clientConfigPick(user, ctx.state.path, ctx.session.recent));
  if (!directory) return;
  try {
    const files = await ctx.backend.clientConfig(ctx.state.draft, user, directory);
    written = { ok: true, text: t('client.written', { files: files.join(', ') }) };
  } catch (e) {
    written = { ok: false, text: (e as AppError).message };
  }
  ctx.rerender();
}

/** Client config…: a user (the admin or an application user) and the button; nothing for plaintext. */
export function clientConfigView(ctx: Ctx): HTMLElement | null {
  const users = clientUsers(ctx.state.draft);
  if (users.length === 0) return null;
  if (!chosenUser || !users.includes(chosenUser)) chosenUser = users[0];
  const hasErrors = ctx.state.problems.some((p) => p.severity === 'error');
  const pick = el('select', { id: 'client-config-user', onchange: (e: Event) => { chosenUser = (e.target as HTMLSelectElement).value; } }, users.map((u) => el('option', { value: u }, u)));
  pick.value = chosenUser;
  return el('fieldset', { class: 'client-config' }, el('legend', {}, t('client.title')),
    el('label', { class: 'field' }, el('span', { class: 'label' }, t('client.user')), pick),
    el('button', { id: 'client-config', disabled: hasErrors, onclick: () => void writeClientConfig(ctx, chosenUser ?? users[0]) }, t('client.button')),
    el('small', { class: 'hint' }, t('client.hint')),
    written ? el('p', { id: 'client-config-result', class: written.ok ? 'ok' : 'problem error' }, written.text) : null);
}
