// security.ts — the pure part of the Security step and of Client config…: the protection a draft gets (no
// [security] section is plaintext), the users a client configuration can be written for, the lists typed into
// text boxes, and the CA's summary line. No DOM, so tested headless.

import { placeholderOf } from './field-schema.js';
import type { CaInfo, ProjectDraft } from './types.js';

export type Protection = 'plaintext' | 'ssl' | 'sasl_ssl';
export const PROTECTIONS: readonly Protection[] = ['sasl_ssl', 'ssl', 'plaintext'];
export const MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const;
export const ACL_RESOURCES = ['topic', 'group', 'cluster', 'transactional_id'] as const;
export const ACL_PATTERNS = ['literal', 'prefixed'] as const;

/** The draft's protection: the section's protocol; the engine's default (sasl_ssl) when the section leaves it out;
 * plaintext without a section. */
export function protectionOf(draft: ProjectDraft): Protection {
  const sec = draft.security;
  if (!sec) return 'plaintext';
  const p = sec.protocol ?? placeholderOf('security.protocol') ?? 'sasl_ssl';
  return (PROTECTIONS as readonly string[]).includes(p) ? (p as Protection) : 'sasl_ssl';
}

/** The users a client configuration can be written for: the admin (its default when left out), then the
 * application users; none for a plaintext project. */
export function clientUsers(draft: ProjectDraft): string[] {
  if (protectionOf(draft) === 'plaintext') return [];
  const admin = draft.security?.admin_user ?? placeholderOf('security.admin_user') ?? 'admin';
  return [...new Set([admin, ...(draft.security?.users ?? [])])];
}

/** Names typed one per line or separated by commas/spaces; undefined when there are none (the key is left out). */
export function parseList(text: string): string[] | undefined {
  const list = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

/** A Unix time as the UTC date `2036-11-28`. */
export function utcDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** Whether the CA expires within `days` of `now` (ms). */
export function expiresSoon(info: CaInfo, now: number, days = 30): boolean {
  return info.not_after * 1000 - now < days * 24 * 3600 * 1000;
}
