// trust-dialog.ts — the toolbar's Trusted release signers… dialog (trust.ts is its pure part): the keys trusted to
// sign the Kafka releases the app installs — the user's imported ones (each with its full fingerprint, user ids,
// creation date and Remove, asked first) and the built-in Apache release managers' — and Import…: a key file chosen
// in the native file dialog, its keys shown with their fingerprints, and nothing stored until the user answers
// "Trust these keys to sign Kafka releases?" with yes. The same store as `kafka-wizard trust` (the backend's).

import type { Ctx } from './ctx.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { fingerprintsToImport, groupedFingerprint, keyCreated, keyFilePick } from './trust.js';
import type { AppError, ImportCandidate, ImportPreview, SignerKey, TrustedSigners } from './types.js';

type View = { loading: true } | { list: TrustedSigners } | { preview: ImportPreview; list: TrustedSigners };

const fpr = (fingerprint: string) => el('code', { class: 'fingerprint', 'data-fingerprint': fingerprint }, groupedFingerprint(fingerprint));

/** Opens the dialog; resolves when it is closed. */
export function openTrustDialog(ctx: Ctx): Promise<void> {
  return new Promise((resolve) => {
    let view: View = { loading: true };
    let error: AppError | null = null;
    let busy = false;
    const box = el('div', { class: 'dialog trust' });
    const overlay = el('div', { class: 'overlay', id: 'trust-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('trust.title') }, box);
    const close = () => { overlay.remove(); resolve(); };
    // Escape backs out of an import's question, else closes (a confirmation shown over the dialog has its own keys)
    overlay.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      if ('preview' in view) cancelImport(); else close();
    });

    const show = (next: View, err: AppError | null = null) => { view = next; error = err; render(); };
    const failed = (e: unknown) => { error = e as AppError; render(); };
    const act = async (work: () => Promise<void>) => {
      if (busy) return;
      busy = true;
      try { await work(); } catch (e) { failed(e); } finally { busy = false; }
    };

    const importFile = () => act(async () => {
      if (!('list' in view)) return;
      const list = view.list;
      const path = await ctx.pickPath(keyFilePick());
      if (!path) return;
      show({ preview: await ctx.backend.previewSignerImport(path), list });
    });
    const confirmImport = () => act(async () => {
      if (!('preview' in view)) return;
      const fingerprints = fingerprintsToImport(view.preview);
      show({ list: await ctx.backend.importSigners(view.preview.file, fingerprints) });
      ctx.notify(t('trust.done', { n: fingerprints.length }));
    });
    function cancelImport() {
      if (!('preview' in view)) return;
      show({ list: view.list });
      ctx.notify(t('trust.cancelled'));
    }
    const remove = (key: SignerKey) => act(async () => {
      const question = t('trust.removeConfirm', { fpr: groupedFingerprint(key.fingerprint), uid: key.user_ids.join(', ') || '—' });
      if (!(await ctx.confirm(question))) return;
      show({ list: await ctx.backend.removeSigner(key.fingerprint) });
      ctx.notify(t('trust.removed', { fpr: groupedFingerprint(key.fingerprint) }));
    });

    function render() {
      const errorLine = el('p', { class: 'problem error', id: 'trust-error', 'data-code': error?.code, hidden: !error }, error?.message ?? '');
      const heading = el('h3', {}, t('trust.title'));
      if ('loading' in view) {
        box.replaceChildren(heading, el('p', { class: 'muted' }, t('trust.loading')), errorLine,
          el('div', { class: 'buttons' }, el('button', { id: 'trust-close', onclick: close }, t('trust.close'))));
      } else if ('preview' in view) {
        box.replaceChildren(heading, previewView(view.preview), errorLine,
          el('div', { class: 'buttons' },
            el('button', { id: 'trust-confirm-yes', class: 'primary', onclick: () => void confirmImport() }, t('trust.yes')),
            el('button', { id: 'trust-confirm-no', onclick: cancelImport }, t('trust.cancel'))));
      } else {
        box.replaceChildren(heading, listView(view.list, remove), errorLine,
          el('div', { class: 'buttons' },
            el('button', { id: 'trust-import', class: 'primary', onclick: () => void importFile() }, t('trust.import')),
            el('button', { id: 'trust-close', onclick: close }, t('trust.close'))));
      }
      // the import's question starts on Cancel: trusting a key is never one stray Enter away
      (box.querySelector<HTMLElement>('#trust-confirm-no') ?? box.querySelector<HTMLElement>('.buttons button'))?.focus();
    }

    document.body.append(overlay);
    render();
    ctx.backend.trustedSigners().then((list) => show({ list }), failed);
  });
}

function listView(list: TrustedSigners, remove: (key: SignerKey) => void): HTMLElement {
  const imported = list.imported.length === 0
    ? el('p', { id: 'trust-none', class: 'muted' }, t('trust.none'))
    : el('table', { id: 'trust-imported' },
      el('tr', {}, el('th', {}, t('trust.fingerprint')), el('th', {}, t('trust.userIds')), el('th', {}, t('trust.created')), el('th', {})),
      list.imported.map((k) => el('tr', { 'data-key': k.fingerprint },
        el('td', {}, fpr(k.fingerprint)), el('td', {}, k.user_ids.join(', ')), el('td', {}, keyCreated(k)),
        el('td', {}, el('button', { class: 'trust-remove', onclick: () => remove(k) }, t('trust.remove'))))));
  const builtIn = el('details', { id: 'trust-built-in' },
    el('summary', {}, t('trust.builtIn', { n: list.built_in.length })),
    el('table', {}, list.built_in.map((k) => el('tr', {}, el('td', {}, fpr(k.fingerprint)), el('td', {}, k.owner), el('td', { class: 'muted' }, k.signed.join(', '))))));
  return el('div', { id: 'trust-list' }, el('p', { class: 'muted' }, t('trust.intro', { dir: list.dir })), el('h4', {}, t('trust.imported')), imported, builtIn);
}

function standing(c: ImportCandidate): string {
  if (c.standing === 'built_in') return t('trust.builtInKey', { owner: c.built_in_owner ?? '' });
  return c.standing === 'already_imported' ? t('trust.already') : t('trust.new');
}

function previewView(preview: ImportPreview): HTMLElement {
  return el('div', { id: 'trust-preview' },
    el('p', {}, t('trust.found', { n: preview.keys.length, file: preview.file })),
    el('table', { id: 'trust-candidates' }, preview.keys.map((c) => el('tr', { 'data-key': c.key.fingerprint, 'data-standing': c.standing },
      el('td', {}, fpr(c.key.fingerprint)), el('td', {}, c.key.user_ids.join(', ')), el('td', {}, keyCreated(c.key)), el('td', { class: 'muted' }, standing(c))))),
    preview.skipped.length ? el('p', { class: 'problem warning', id: 'trust-skipped' }, t('trust.skipped', { what: preview.skipped.join('; ') })) : null,
    el('p', { class: 'muted' }, t('trust.check')),
    el('p', { id: 'trust-question' }, el('strong', {}, t('trust.question'))));
}
