// trust.ts — Trusted release signers…, its pure part (no DOM, unit-tested headless): a fingerprint grouped as gpg
// prints it (easier to compare by eye with the one its owner gives), a key's creation date, the file dialog that
// picks a key file, and which keys of a file's preview an import trusts (every key the file holds: the dialog asks
// about them all at once, as `kafka-wizard trust import` does).

import { t } from './i18n.js';
import { utcDate } from './security.js';
import type { ImportPreview, PickRequest, SignerKey } from './types.js';

/** `D3DF 932A 0303 7580 D545  3F49 8060 FC0D A962 AFE5`: groups of four, two halves (gpg's grouping). */
export function groupedFingerprint(fpr: string): string {
  const groups = fpr.match(/.{1,4}/g) ?? [];
  const half = Math.ceil(groups.length / 2);
  return `${groups.slice(0, half).join(' ')}  ${groups.slice(half).join(' ')}`.trim();
}

/** When the key was made, as a UTC date. */
export function keyCreated(key: SignerKey): string {
  return utcDate(key.created);
}

/** Import…: an existing file, with no filter (Apache's `KEYS` has no extension; exports are `.asc`, `.pub`, `.txt`). */
export function keyFilePick(): PickRequest {
  return { mode: 'open', title: t('pick.keyFile') };
}

/** The fingerprints an import of `preview` trusts once confirmed. */
export function fingerprintsToImport(preview: ImportPreview): string[] {
  return preview.keys.map((c) => c.key.fingerprint);
}
