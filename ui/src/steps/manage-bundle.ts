// steps/manage-bundle.ts — Manage's Support bundle…: the zip file chosen in the OS's save dialog (the engine's
// suggested name), the engine's `collect` (every host's generated files, logs, journals and facts, the status, the
// project file and its newest run log — redacted), and what the bundle holds: entries per host, a host that could
// not be read (the bundle has the rest), the values redacted. Owns the last bundle's result.

import { type Ctx, runOptions } from '../ctx.js';
import { el } from '../dom.js';
import { supportBundlePick } from '../file-picks.js';
import { t } from '../i18n.js';
import type { BundleSummary } from '../types.js';

/** The last bundle written, or its error; collecting: a bundle is being collected. */
let last: { summary: BundleSummary | null; error: string | null } | null = null;
let collecting = false;

/** Forgets the last result (another project was loaded). */
export function resetBundle(): void {
  last = null;
}

async function collectBundle(ctx: Ctx): Promise<void> {
  const name = await ctx.backend.supportBundleName(ctx.state.draft);
  const out = await ctx.pickPath(supportBundlePick(name, ctx.state.path, ctx.session.recent));
  if (!out) return;
  collecting = true;
  last = null;
  ctx.rerender();
  try {
    last = { summary: await ctx.backend.supportBundle(ctx.state.draft, runOptions(ctx.session), ctx.state.path, out), error: null };
  } catch (e) {
    last = { summary: null, error: (e as { message: string }).message };
  }
  collecting = false;
  if (ctx.state.step === 'manage') ctx.rerender();
}

export function bundleButton(ctx: Ctx, disabled: boolean): HTMLElement {
  return el('button', { id: 'op-support-bundle', disabled: disabled || collecting, onclick: () => void collectBundle(ctx) },
    collecting ? t('bundle.collecting') : t('bundle.button'));
}

/** The last bundle: where it is, what it holds per host; nothing before the first. */
export function bundleSection(): HTMLElement | null {
  if (!last) return null;
  if (last.error !== null) return el('p', { id: 'bundle-result', class: 'problem error' }, `${t('bundle.button')}: ${last.error}`);
  const s = last.summary as BundleSummary;
  const down = s.hosts.filter((h) => h.error !== null);
  return el('div', { id: 'bundle-result', class: down.length ? 'problem warning' : 'ok', 'data-path': s.path },
    el('p', {}, t('bundle.written', { path: s.path, n: s.entries, kib: Math.round(s.bytes / 1024), redacted: s.redactions })),
    el('ul', {}, s.hosts.map((h) => el('li', { 'data-bundle-host': h.host },
      h.error !== null ? t('bundle.hostDown', { host: h.host, error: h.error }) : t('bundle.host', { host: h.host, n: h.entries, left: h.left_out })))));
}
