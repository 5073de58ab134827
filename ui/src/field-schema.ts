// field-schema.ts — the engine's field schema (`Backend.fieldSchema`, loaded once at start): for each project
// field, the step that edits it and its default / example. The UI keeps no copy of either: placeholders and
// the field → step map (problems.ts) read them from here.

import type { FieldInfo } from './types.js';

let byPath = new Map<string, FieldInfo>();

/** Uses this schema from now on (the app loads it once at start; tests load the committed one). */
export function useFieldSchema(schema: FieldInfo[]): void {
  byPath = new Map(schema.map((f) => [f.path, f]));
}

/** A field path as the schema writes it: every index as `[]` (`hosts[3].data_dirs[0]` → `hosts[].data_dirs[]`). */
export function schemaPath(field: string): string {
  return field.replace(/\[\d+\]/g, '[]');
}

/** The schema's entry for exactly this field (any index), or undefined when it lists none. */
export function schemaEntry(field: string): FieldInfo | undefined {
  return byPath.get(schemaPath(field));
}

/** The value the engine uses when the field is not set, or undefined when it has none. */
export function defaultOf(field: string): string | undefined {
  return schemaEntry(field)?.default ?? undefined;
}

/** What an empty input for the field shows: its default, else an example; undefined when the schema has neither. */
export function placeholderOf(field: string): string | undefined {
  const f = schemaEntry(field);
  return f?.default ?? f?.example ?? undefined;
}
