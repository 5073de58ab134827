// steps/manage-recover.ts — Recover secrets…: a secured cluster whose secrets store is lost on this machine gets a
// new one read from its hosts (the engine's `deploy --recover-secrets`, `RunOptions.recover_secrets`). Offered in
// Manage for every secured project, and beside an Install or Manage run refused with `secrets_lost`. A confirmation
// says what is read (as root over SSH), what changes (the admin and every application user get new passwords on
// the running cluster; applications need a new Client config…) and what cannot come back (the CA's key: a new or
// renamed host then needs Rotate CA…). Owns nothing but that flow; the run goes into the area it was started from.

import { runOptions, type Ctx } from '../ctx.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { emptyProgress, hostTarget, WIZARD } from '../progress.js';
import type { Run, RunLayout } from '../run-area.js';
import { protectionOf } from '../security.js';
import type { AppError } from '../types.js';
import { resetSecurityClient } from './security-client.js';

/** Recover secrets… is offered for a secured project (a plaintext one has no secrets). */
export function recoverOffered(ctx: Ctx): boolean {
  return protectionOf(ctx.state.draft) !== 'plaintext';
}

/** After a confirmation, the deploy with `recover_secrets` in `area`'s run; `done` follows (Manage reads the status
 * again). */
export async function recoverSecrets(ctx: Ctx, area: 'install' | 'manage', layout: RunLayout, done: () => Promise<void>): Promise<void> {
  if (!(await ctx.confirm(t('recover.confirm', { name: ctx.state.draft.name ?? '' })))) return;
  const label = t('recover.label');
  const hosts = (ctx.state.draft.hosts ?? []).map((h) => hostTarget(h.name));
  const run = ctx.run.begin(area, emptyProgress([WIZARD, ...hosts]), 3, layout);
  ctx.rerender();
  try {
    await ctx.backend.deploy(ctx.state.draft, { ...runOptions(ctx.session), recover_secrets: true }, run.onEvent);
    run.end({ ok: true, text: t('recover.done') });
  } catch (e) {
    const err = e as AppError;
    run.end({ ok: false, text: err.code === 'cancelled' ? t('manage.cancelled', { verb: label }) : `${label}: ${err.message}` }, true);
  }
  resetSecurityClient(); // the CA shown comes from the new store
  await done();
}

/** Manage's Recover secrets… button; nothing for a plaintext project. */
export function recoverButton(ctx: Ctx, disabled: boolean, layout: RunLayout, done: () => Promise<void>): HTMLElement | null {
  if (!recoverOffered(ctx)) return null;
  return el('button', { id: 'op-recover-secrets', disabled, title: t('recover.title'), onclick: () => void recoverSecrets(ctx, 'manage', layout, done) }, t('recover.button'));
}

/** Beside a run refused because this machine has no secrets store for the running cluster: what it means and
 * Recover secrets…. */
export function recoverOffer(ctx: Ctx, area: 'install' | 'manage', run: Run | null, layout: RunLayout, done: () => Promise<void>): HTMLElement | null {
  if (!run || run.running || run.result?.code !== 'secrets_lost' || !recoverOffered(ctx)) return null;
  return el('div', { id: `${area}-secrets-lost`, class: 'problem warning' },
    el('p', {}, t('recover.offer')),
    el('button', { id: `${area}-recover-secrets`, onclick: () => void recoverSecrets(ctx, area, layout, done) }, t('recover.button')));
}
