// problems.ts — placing the engine's validation problems in the wizard: which step a field path belongs to
// (`hosts[3].id` → Hosts, as the engine's field schema says), where on screen it goes (the input with that
// data-field, else the nearest parent field, else the step's summary), in which language it is read, and a
// plain-words explanation for warnings.

import { schemaEntry } from './field-schema.js';
import { lang, type Lang } from './i18n.js';
import type { FieldStep, Problem } from './types.js';

/**
 * The wizard step where the field named by a problem is edited: the field schema's step for the field, else for
 * its nearest listed parent (`kafka.properties."num.partitions"` → `kafka.properties`); Review when none is listed.
 */
export function stepOfField(field: string): FieldStep {
  for (const f of [field, ...parentFields(field)]) {
    const entry = schemaEntry(f);
    if (entry) return entry.step;
  }
  return 'review';
}

/** The problem's message in the UI's language: the engine writes every one in English and Korean. */
export function problemMessage(p: Problem, l: Lang = lang()): string {
  return l === 'ko' && p.message_ko ? p.message_ko : p.message;
}

/** Parent paths, most specific first: `hosts[3].data_dirs[1]` → `hosts[3].data_dirs`, `hosts[3]`, `hosts`. */
export function parentFields(field: string): string[] {
  const out: string[] = [];
  let f = field;
  for (;;) {
    const m = f.match(/^(.*)(\[\d+\]|\.[^.[\]]+)$/);
    if (!m || !m[1]) break;
    f = m[1];
    out.push(f);
  }
  return out;
}

/**
 * Which of the `available` field anchors shows this problem: the exact field, else its nearest parent; null when
 * none is on screen (the problem then goes into the step's summary list).
 */
export function anchorFor(field: string, available: Set<string>): string | null {
  if (available.has(field)) return field;
  for (const p of parentFields(field)) if (available.has(p)) return p;
  return null;
}

/** Problems grouped by the anchor that shows them; the rest under ''. */
export function placeProblems(problems: Problem[], available: Set<string>): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    const key = anchorFor(p.field, available) ?? '';
    const list = out.get(key) ?? [];
    list.push(p);
    out.set(key, list);
  }
  return out;
}

export function countByStep(problems: Problem[]): Map<FieldStep, { errors: number; warnings: number }> {
  const out = new Map<FieldStep, { errors: number; warnings: number }>();
  for (const p of problems) {
    const s = stepOfField(p.field);
    const c = out.get(s) ?? { errors: 0, warnings: 0 };
    if (p.severity === 'error') c.errors++;
    else c.warnings++;
    out.set(s, c);
  }
  return out;
}

export function hasErrors(problems: Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
