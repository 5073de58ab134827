// mock-preflight.ts — the mock backend's preflight (tests only, like mock-backend.ts): per host of the draft the
// broker port free, Java found, `vm.swappiness` a warning the wizard can fix (its sysctl.d file) and, on the first
// host, transparent huge pages too (its tmpfiles.d file); `preflightRefuse` names a host whose broker port a foreign
// process holds (refused). Fixes: a preview lists every fix with its file (nothing changed); a run makes them — on
// `preflightAtBoot`'s host the kernel refuses them now (kept for boot), on `preflightFixFails`'s host reading the
// file fails — and a fix the kernel took passes from then on (one kept for boot still warns, its file in place).
// Every check and fix asked for is counted / logged. It is NOT the engine: it gives the UI answers of the commands'
// shape.

import type { Backend } from './backend.js';
import type { FixRow, HostFixReport, PreflightRow, ProjectDraft } from './types.js';

export interface MockPreflightOptions {
  /** A host whose broker port is held by a foreign process: the check refuses it. */
  preflightRefuse?: string;
  /** A host whose kernel refuses the settings now (read-only /proc/sys): its fixes take effect at boot. */
  preflightAtBoot?: string;
  /** A host whose fixes fail (its file cannot be read). */
  preflightFixFails?: string;
  /** How many checks were asked for (filled by the mock). */
  preflightChecks?: number;
  /** Every fix asked for: whether it was a preview (filled by the mock). */
  preflightFixLog?: { dryRun: boolean }[];
}

const SYSCTL_FILE = '/etc/sysctl.d/60-kafka.conf';
const THP_FILE = '/etc/tmpfiles.d/60-kafka-thp.conf';

/** A warning the wizard can fix: its check, what it found, the setting and its file. */
interface Fixable { check: string; result: string; fix: string; setting: string; file: string }

const SWAPPINESS: Fixable = {
  check: 'vm.swappiness', result: '60: the kernel swaps the JVM\'s heap out rather than drop page cache',
  fix: `sysctl -w vm.swappiness=1, and keep it in ${SYSCTL_FILE} (vm.swappiness = 1)`, setting: 'vm.swappiness = 1', file: SYSCTL_FILE,
};
const THP: Fixable = {
  check: 'transparent huge pages', result: 'always: the kernel compacts memory into huge pages behind the JVM\'s back (latency stalls)',
  fix: `set it to madvise (echo madvise > /sys/kernel/mm/transparent_hugepage/enabled), and keep it (${THP_FILE})`, setting: 'transparent huge pages = madvise', file: THP_FILE,
};

type PreflightMethods = Pick<Backend, 'preflight' | 'preflightFix'>;

export function mockPreflight(options: MockPreflightOptions, sleep: () => Promise<void>): PreflightMethods {
  /** `host check` of each fix the kernel took (it passes from then on), and of each kept in its file. */
  const fixed = new Set<string>();
  const kept = new Set<string>();
  const fixables = (d: ProjectDraft, host: string): Fixable[] => ((d.hosts ?? [])[0]?.name === host ? [SWAPPINESS, THP] : [SWAPPINESS]);
  const open = (d: ProjectDraft, host: string) => fixables(d, host).filter((f) => !fixed.has(`${host} ${f.check}`));
  const rows = (d: ProjectDraft): PreflightRow[] => (d.hosts ?? []).flatMap((h): PreflightRow[] => {
    const port = d.kafka.listener_port ?? 9092;
    const held = h.name === options.preflightRefuse;
    return [
      held
        ? { host: h.name, check: `port ${port} (kafka.listener_port)`, verdict: 'refuse', result: 'held by python3 (pid 4242), not by this cluster\'s kafka-server.service', fix: `stop that process (\`ss -ltnp 'sport = :${port}'\` shows it) or set kafka.listener_port to a free port`, fix_file: null }
        : { host: h.name, check: `port ${port} (kafka.listener_port)`, verdict: 'pass', result: 'free', fix: '', fix_file: null },
      { host: h.name, check: 'Java', verdict: 'pass', result: 'Java 17 found', fix: '', fix_file: null },
      ...fixables(d, h.name).map((f): PreflightRow => (fixed.has(`${h.name} ${f.check}`)
        ? { host: h.name, check: f.check, verdict: 'pass', result: f.setting.split(' = ')[1], fix: '', fix_file: null }
        : { host: h.name, check: f.check, verdict: 'warn', result: f.result, fix: f.fix, fix_file: f.file })),
    ];
  });
  return {
    preflight: async (d) => {
      options.preflightChecks = (options.preflightChecks ?? 0) + 1;
      await sleep();
      const all = rows(d);
      return { rows: all, refused: all.filter((r) => r.verdict === 'refuse').length, warned: all.filter((r) => r.verdict === 'warn').length };
    },
    preflightFix: async (d, _o, dryRun) => {
      (options.preflightFixLog ??= []).push({ dryRun });
      await sleep();
      const hosts = (d.hosts ?? []).map((h): HostFixReport => {
        const todo = open(d, h.name);
        if (todo.length && h.name === options.preflightFixFails) {
          return { host: h.name, fixes: [], error: `reading ${SYSCTL_FILE} failed: exit 1: Permission denied` };
        }
        const atBoot = !dryRun && h.name === options.preflightAtBoot;
        const fixes = todo.map((f): FixRow => ({
          setting: f.setting, file: f.file, written: !kept.has(`${h.name} ${f.check}`),
          state: dryRun ? 'planned' : atBoot ? 'at_boot' : 'applied_now', why: atBoot ? `cannot create /proc/sys/vm/swappiness: Read-only file system` : null,
        }));
        if (!dryRun) for (const f of todo) { kept.add(`${h.name} ${f.check}`); if (!atBoot) fixed.add(`${h.name} ${f.check}`); }
        return { host: h.name, fixes, error: null };
      });
      return { dry_run: dryRun, hosts };
    },
  };
}
