// mock-trust.ts — the mock backend's trusted release signers (tests only, like mock-backend.ts): an in-memory store
// of imported keys, key files given by a test as `keyFiles` (a path → the keys it holds; a path not there is a file
// that cannot be read; a path with no keys is a file without a public key — both refused with `key_file` naming the
// file, as the engine refuses them), two built-in release managers, and a log of every import and removal. It is NOT
// the engine: it parses nothing, it only gives the UI answers of the commands' shape.

import type { Backend } from './backend.js';
import type { BuiltInSigner, ImportCandidate, SignerKey, TrustedSigners } from './types.js';

export interface MockTrustOptions {
  /** Key files the dialog can choose: the keys each holds (none: a file without a public key). */
  keyFiles?: Record<string, SignerKey[]>;
  /** Keys imported before the test (e.g. with `kafka-wizard trust import`). */
  trusted?: SignerKey[];
  /** Every import and removal asked for (filled by the mock). */
  trustLog?: ({ import: string[] } | { remove: string })[];
}

const DIR = '/home/op/.config/kafka-wizard/trusted-keys';
const BUILT_IN: BuiltInSigner[] = [
  { fingerprint: 'D3DF932A03037580D5453F498060FC0DA962AFE5', owner: 'Mickael Maison', signed: ['3.5.0', '4.1.0'] },
  { fingerprint: '880BD93BF75EDE553B6A9918B4CC1061B61737F9', owner: 'David Jacot', signed: ['3.1.0', '4.0.0'] },
];

type TrustMethods = Pick<Backend, 'trustedSigners' | 'previewSignerImport' | 'importSigners' | 'removeSigner'>;

export function mockTrust(options: MockTrustOptions): TrustMethods {
  const imported = new Map<string, SignerKey>((options.trusted ?? []).map((k) => [k.fingerprint, k]));
  const fail = (code: string, message: string) => Promise.reject({ code, message });
  const list = (): TrustedSigners => ({ dir: DIR, imported: [...imported.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)), built_in: BUILT_IN });
  const read = (path: string): SignerKey[] | null => options.keyFiles?.[path] ?? null;
  const normal = (fpr: string) => fpr.replace(/\s+/g, '').toUpperCase();
  return {
    trustedSigners: async () => list(),
    previewSignerImport: async (path) => {
      const keys = read(path);
      if (keys === null) return fail('key_file', `${path}: cannot read it as armored keys: No such file or directory (os error 2)`);
      if (keys.length === 0) return fail('key_file', `${path}: no OpenPGP public key in it (expected \`-----BEGIN PGP PUBLIC KEY BLOCK-----\` blocks, as in Apache's KEYS file)`);
      return {
        file: path, skipped: [],
        keys: keys.map((key): ImportCandidate => {
          const builtIn = BUILT_IN.find((b) => b.fingerprint === key.fingerprint);
          return { key, standing: builtIn ? 'built_in' : imported.has(key.fingerprint) ? 'already_imported' : 'new', built_in_owner: builtIn?.owner ?? null };
        }),
      };
    },
    importSigners: async (path, fingerprints) => {
      const keys = read(path) ?? [];
      if (fingerprints.length === 0) return fail('key_file', 'no key was confirmed: nothing was imported');
      const missing = fingerprints.find((f) => !keys.some((k) => k.fingerprint === normal(f)));
      if (missing) return fail('key_file', `${path}: key ${missing} is not in it (the file changed since it was read?) — nothing was imported; choose the file again`);
      (options.trustLog ??= []).push({ import: fingerprints });
      for (const f of fingerprints) imported.set(normal(f), keys.find((k) => k.fingerprint === normal(f))!);
      return list();
    },
    removeSigner: async (fingerprint) => {
      const fpr = normal(fingerprint);
      if (!imported.delete(fpr)) return fail('not_trusted', `${fpr} is not a trusted key (\`kafka-wizard trust list\` shows those)`);
      (options.trustLog ??= []).push({ remove: fpr });
      return list();
    },
  };
}
