// dom.ts — a tiny DOM toolkit for the views: `el()` builds elements, `input()` an input bound to a project field
// path (data-field) showing the field schema's default or example, `field()` a labelled control with a slot for
// its inline problem, and `showProblems()` puts the engine's problems next to the fields they name.

import { placeholderOf } from './field-schema.js';
import { placeProblems, problemMessage } from './problems.js';
import type { Problem } from './types.js';

type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'value' && (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement || node instanceof HTMLSelectElement)) node.value = String(v);
    else if (k === 'checked' && node instanceof HTMLInputElement) node.checked = Boolean(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export interface FieldOptions {
  type?: 'text' | 'number' | 'password';
  /** What the empty input shows when it is not the field's schema default / example: a computed text, or null for nothing. */
  placeholder?: string | null;
  hint?: string;
  wide?: boolean;
}

/**
 * An input for a project field path; `onValue` gets the parsed value ('' → undefined, numbers as numbers). Empty,
 * it shows the field's default (else an example) from the engine's field schema.
 */
export function input(path: string, value: unknown, onValue: (v: unknown) => void, o: FieldOptions = {}): HTMLInputElement {
  return el('input', {
    type: o.type ?? 'text',
    'data-field': path,
    value: value === undefined || value === null ? '' : String(value),
    placeholder: o.placeholder === undefined ? placeholderOf(path) : o.placeholder,
    oninput: (e: Event) => {
      const raw = (e.target as HTMLInputElement).value;
      if (o.type === 'number') onValue(raw.trim() === '' ? undefined : Number(raw));
      else onValue(raw === '' ? undefined : raw);
    },
  });
}

/** A labelled field: label, input, hint, and the message slot the problems go into. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return el('label', { class: 'field' }, el('span', { class: 'label' }, label), control, hint ? el('small', { class: 'hint' }, hint) : null, el('div', { class: 'msg' }));
}

/** The message slot for an anchor: the nearest `.msg` child of the anchor's field / cell / anchor box, going outward. */
function slotFor(anchor: Element): Element | null {
  let holder: Element | null = anchor.closest('.field, td, .anchor');
  while (holder) {
    const slot = holder.querySelector(':scope > .msg');
    if (slot) return slot;
    holder = holder.parentElement?.closest('.field, td, .anchor') ?? null;
  }
  return null;
}

/**
 * Shows problems in `root`: each next to the [data-field] it names (or its nearest parent field); the rest in
 * `summary`. Returns the problems that had no field on screen.
 */
export function showProblems(root: HTMLElement, problems: Problem[], summary: HTMLElement | null, summaryFilter: (p: Problem) => boolean): Problem[] {
  const anchors = new Map<string, Element>();
  root.querySelectorAll('[data-field]').forEach((a) => {
    const f = a.getAttribute('data-field')!;
    if (!anchors.has(f)) anchors.set(f, a);
    a.classList.remove('invalid', 'warned');
    a.removeAttribute('aria-invalid');
    const slot = slotFor(a);
    if (slot) slot.textContent = '';
  });
  const placed = placeProblems(problems, new Set(anchors.keys()));
  for (const [key, list] of placed) {
    if (!key) continue;
    const a = anchors.get(key)!;
    const isError = list.some((p) => p.severity === 'error');
    a.classList.add(isError ? 'invalid' : 'warned');
    if (isError) a.setAttribute('aria-invalid', 'true');
    const slot = slotFor(a);
    if (slot) {
      slot.replaceChildren(...list.map((p) => el('div', { class: `problem ${p.severity}`, 'data-problem-field': p.field }, problemMessage(p))));
    }
  }
  const rest = (placed.get('') ?? []).filter(summaryFilter);
  if (summary) {
    summary.replaceChildren(...rest.map((p) => el('li', { class: `problem ${p.severity}`, 'data-problem-field': p.field }, el('code', {}, p.field), ' ', problemMessage(p))));
    summary.hidden = rest.length === 0;
  }
  return rest;
}
