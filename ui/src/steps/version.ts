// steps/version.ts — Version: cluster name, the release catalog (Scala builds, modes, Java, withdrawn marked),
// the mode switch where a release allows both, and where the tarball comes from (Apache, mirror, offline).

import type { Ctx } from '../ctx.js';
import { el, field, input } from '../dom.js';
import { defaultOf } from '../field-schema.js';
import { t } from '../i18n.js';
import { effectiveMode, setField, setMode } from '../state.js';
import { openTrustDialog } from '../trust-dialog.js';
import type { Release } from '../types.js';

export function releaseLabel(r: Release): string {
  const notes = [r.zookeeper ? 'ZooKeeper' : '', r.kraft === 'production' ? 'KRaft' : r.kraft !== 'none' ? `KRaft ${r.kraft}` : '', t('version.java', r.java)]
    .filter(Boolean).join(' · ');
  return `${r.version}  (${notes})${r.withdrawn ? ` — ${t('version.withdrawn')}` : r.current ? ` — ${t('version.current')}` : ''}`;
}

/** Whose pinned key checks the release's OpenPGP signature, or that this build pins none for it (Install would
 * refuse it until that key is trusted on purpose), with the way to trust it. */
function signerNote(ctx: Ctx, r: Release): HTMLElement {
  if (r.signer) return el('small', { class: 'hint', id: 'release-signer', 'data-pinned': 'true' }, t('version.signedBy', { owner: r.signer }));
  return el('p', { class: 'hint', id: 'release-signer', 'data-pinned': 'false' }, t('version.signerNotPinned', { version: r.version }),
    ' ', el('button', { id: 'release-trust', type: 'button', onclick: () => void openTrustDialog(ctx) }, t('trust.button')));
}

export function renderVersion(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const release = ctx.releases.find((r) => r.version === d.kafka.version);
  const set = (path: string, rerender = false) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v), rerender);

  const versionSel = el('select', { id: 'kafka-version', 'data-field': 'kafka.version', onchange: (e: Event) => {
    let draft = setField(ctx.state.draft, 'kafka.version', (e.target as HTMLSelectElement).value);
    const r = ctx.releases.find((x) => x.version === draft.kafka.version);
    if (r && draft.kafka.scala && !r.scala.includes(draft.kafka.scala)) draft = setField(draft, 'kafka.scala', undefined);
    if (r && r.default_mode && draft.kafka.mode && draft.kafka.mode !== r.default_mode) draft = setMode(draft, r.default_mode);
    ctx.update(draft, true);
  } }, release ? null : el('option', { value: d.kafka.version ?? '' }, d.kafka.version ?? '—'),
  ctx.releases.map((r) => el('option', { value: r.version, class: r.withdrawn ? 'withdrawn' : '' }, releaseLabel(r))));
  versionSel.value = d.kafka.version ?? '';

  const scalaSel = el('select', { id: 'kafka-scala', 'data-field': 'kafka.scala', onchange: (e: Event) => set('kafka.scala')((e.target as HTMLSelectElement).value) },
    el('option', { value: '' }, defaultOf('kafka.scala') ? `default (${defaultOf('kafka.scala')})` : 'default'), (release?.scala ?? []).map((s) => el('option', { value: s }, s)));
  scalaSel.value = d.kafka.scala ?? '';

  const mode = effectiveMode(d, release?.default_mode ?? null);
  let modeBox: HTMLElement;
  if (release && release.default_mode === null) {
    const radio = (m: 'zookeeper' | 'kraft', label: string) => el('label', { class: 'radio' },
      el('input', { type: 'radio', name: 'mode', id: `mode-${m}`, value: m, checked: d.kafka.mode === m, onchange: () => ctx.update(setMode(ctx.state.draft, m), true) }), label);
    modeBox = el('div', { class: 'anchor', 'data-field': 'kafka.mode' }, el('p', {}, t('version.choose')), radio('zookeeper', 'ZooKeeper'), radio('kraft', 'KRaft'), el('div', { class: 'msg' }));
  } else {
    modeBox = el('div', { class: 'anchor', 'data-field': 'kafka.mode' }, el('p', {}, mode === 'kraft' ? t('version.kraftOnly') : t('version.zkOnly')), el('div', { class: 'msg' }));
  }

  const source = d.kafka.tarball !== undefined ? 'tarball' : d.kafka.mirror !== undefined ? 'mirror' : 'apache';
  const srcRadio = (v: string, label: string) => el('label', { class: 'radio' }, el('input', { type: 'radio', name: 'source', id: `source-${v}`, checked: source === v, onchange: () => {
    let draft = setField(setField(ctx.state.draft, 'kafka.mirror', undefined), 'kafka.tarball', undefined);
    if (v === 'mirror') draft = setField(draft, 'kafka.mirror', 'https://');
    if (v === 'tarball') draft = setField(draft, 'kafka.tarball', '/');
    ctx.update(draft, true);
  } }), label);

  return el('section', { class: 'form' },
    field(t('version.name'), input('name', d.name, set('name'))),
    field(t('version.release'), versionSel),
    field(t('version.scala'), scalaSel),
    el('fieldset', {}, el('legend', {}, t('version.mode')), modeBox),
    el('fieldset', {}, el('legend', {}, t('version.source')), srcRadio('apache', t('version.apache')), srcRadio('mirror', t('version.mirror')), srcRadio('tarball', t('version.tarball')),
      source === 'mirror' ? field(t('version.mirrorUrl'), input('kafka.mirror', d.kafka.mirror, set('kafka.mirror'))) : null,
      source === 'tarball' ? field(t('version.tarballPath'), input('kafka.tarball', d.kafka.tarball, set('kafka.tarball'))) : null,
      release ? signerNote(ctx, release) : null),
  );
}
