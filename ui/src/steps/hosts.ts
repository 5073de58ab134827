// steps/hosts.ts — Hosts & IDs: the editable host table (name, address, roles, id, myid, rack; in ZooKeeper mode
// also "controller" where the release can move to KRaft: the migration's controllers), paste a list of
// names, auto-number ids, SSH defaults (jump host, ~/.ssh/config, sudo) with per-host overrides (a host's own jump
// host or none), and Test connection per host (reachability,
// login, OS, systemd, Java — it needs only that host's fields and the SSH settings; an unknown host key shows its
// SHA256 fingerprint with Accept / Reject). Owns what it knows of the hosts beyond the draft: connection results
// (forgotten when another project is loaded or a host removed) and which SSH override rows are open.

import type { Ctx } from '../ctx.js';
import { el, field, input } from '../dom.js';
import { defaultOf, placeholderOf } from '../field-schema.js';
import { t } from '../i18n.js';
import { addHost, autoNumber, effectiveMode, pasteHosts, removeHost, setField, toggleRole } from '../state.js';
import type { AppError, ConnectionReport, HostDraft, SshDraft } from '../types.js';

/** Test connection per host index: running, its report, or the host key rejected. */
const connections = new Map<number, ConnectionReport | 'testing' | 'rejected'>();
/** Host indexes whose SSH override row is open. */
const expandedSsh = new Set<number>();

/** Forgets the connection results (another project was loaded). */
export function resetHosts(): void {
  connections.clear();
}

/** How many hosts the last Test connection logged in to (Review's diff needs the hosts reachable). */
export function hostsLoggedIn(): number {
  return [...connections.values()].filter((c) => typeof c === 'object' && c.auth_ok).length;
}

async function testConnection(ctx: Ctx, i: number, accept: string | null): Promise<void> {
  connections.set(i, 'testing');
  ctx.rerender();
  try {
    const r = await ctx.backend.testConnection(ctx.state.draft, i, accept, ctx.session.password || null, ctx.session.keyPassphrase || null, ctx.session.becomePassword || null);
    connections.set(i, r);
  } catch (e) {
    const err = e as AppError;
    connections.set(i, { host: '', ssh: null, reachable: false, host_key_ok: false, unknown_key: null, auth_ok: false, os: null, systemd: null, java: null, java_major: null, error: err });
  }
  ctx.rerender();
}

function connectionRow(ctx: Ctx, i: number, cols: number): HTMLElement | null {
  const c = connections.get(i);
  if (!c) return null;
  let body: (HTMLElement | string)[];
  if (c === 'testing') body = [t('conn.testing')];
  else if (c === 'rejected') body = [t('conn.rejected')];
  else body = reportView(ctx, i, c);
  return el('tr', { class: 'conn-row', 'data-conn': String(i) }, el('td', { colspan: String(cols) }, el('div', { class: 'conn' }, body)));
}

function mark(ok: boolean, yes: string, no: string): HTMLElement {
  return el('span', { class: `pill ${ok ? 'ok' : 'bad'}` }, `${ok ? '✓' : '✕'} ${ok ? yes : no}`);
}

function reportView(ctx: Ctx, i: number, r: ConnectionReport): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = [mark(r.reachable, t('conn.reach'), t('conn.unreach'))];
  if (r.ssh) out.push(el('code', { class: 'ssh-effective' }, r.ssh));
  if (r.unknown_key) {
    out.push(el('div', { class: 'hostkey' }, el('p', {}, t('conn.key')), el('code', { class: 'fingerprint' }, `${r.unknown_key.key_type} ${r.unknown_key.fingerprint}`),
      el('button', { class: 'primary', id: `accept-key-${i}`, onclick: () => void testConnection(ctx, i, r.unknown_key!.fingerprint) }, t('conn.accept')),
      el('button', { id: `reject-key-${i}`, onclick: () => { connections.set(i, 'rejected'); ctx.rerender(); } }, t('conn.reject'))));
    return out;
  }
  if (r.reachable) out.push(mark(r.auth_ok, t('conn.auth'), t('conn.authFail')));
  if (r.os) out.push(el('span', { class: 'pill' }, `OS ${r.os}`));
  if (r.systemd !== null) out.push(mark(r.systemd, t('conn.systemd'), t('conn.noSystemd')));
  if (r.auth_ok) out.push(el('span', { class: `pill ${r.java_major ? '' : 'bad'}` }, r.java ? `Java: ${r.java}` : 'Java: not found'));
  if (r.error) out.push(el('div', { class: 'problem error' }, r.error.message));
  return out;
}

/** A host's `ssh.jump` that turns the project's jump host off for it (`project::validate::ssh`). */
export const NO_JUMP = 'none';

/** The jump host a host is reached through: its own, none when it says "none", else the project's; null: directly. */
export function effectiveJump(project: SshDraft, host: SshDraft | undefined): string | null {
  const jump = host?.jump ?? project.jump;
  return jump === undefined || jump === NO_JUMP ? null : jump;
}

/** A host's yes / no override of a project-wide SSH switch; "as the defaults" stores nothing. */
function triState(path: string, id: string, value: boolean | undefined, onValue: (v: boolean | undefined) => void): HTMLElement {
  return el('select', { 'data-field': path, id, onchange: (e: Event) => { const v = (e.target as HTMLSelectElement).value; onValue(v === '' ? undefined : v === 'yes'); } },
    el('option', { value: '', selected: value === undefined }, t('hosts.sudoDefault')),
    el('option', { value: 'yes', selected: value === true }, t('hosts.sudoYes')),
    el('option', { value: 'no', selected: value === false }, t('hosts.sudoNo')));
}

function sshOverrideRow(ctx: Ctx, i: number, h: HostDraft, cols: number): HTMLElement {
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const s = h.ssh ?? {};
  // empty = the project's SSH setting above, so no default is shown here
  const none = { placeholder: null };
  const jumpInput = input(`hosts[${i}].ssh.jump`, s.jump === NO_JUMP ? undefined : s.jump, set(`hosts[${i}].ssh.jump`), { placeholder: ctx.state.draft.ssh?.jump ?? null });
  jumpInput.disabled = s.jump === NO_JUMP;
  const via = effectiveJump(ctx.state.draft.ssh ?? {}, s);
  return el('tr', { class: 'ssh-row' }, el('td', { colspan: String(cols) }, el('div', { class: 'grid4' },
    field(t('hosts.sshUser'), input(`hosts[${i}].ssh.user`, s.user, set(`hosts[${i}].ssh.user`), none)),
    field(t('hosts.sshPort'), input(`hosts[${i}].ssh.port`, s.port, set(`hosts[${i}].ssh.port`), { ...none, type: 'number' })),
    field(t('hosts.sshKey'), input(`hosts[${i}].ssh.identity_file`, s.identity_file, set(`hosts[${i}].ssh.identity_file`), none)),
    field(t('hosts.sshKnown'), input(`hosts[${i}].ssh.known_hosts`, s.known_hosts, set(`hosts[${i}].ssh.known_hosts`), none)),
    field(t('hosts.sudoOverride'), triState(`hosts[${i}].ssh.sudo`, `sudo-${i}`, s.sudo, set(`hosts[${i}].ssh.sudo`))),
    field(t('hosts.sshJump'), el('div', { class: 'row' },
      jumpInput,
      el('label', { class: 'check' }, el('input', { type: 'checkbox', id: `no-jump-${i}`, checked: s.jump === NO_JUMP,
        onchange: (e: Event) => ctx.update(setField(ctx.state.draft, `hosts[${i}].ssh.jump`, (e.target as HTMLInputElement).checked ? NO_JUMP : undefined), true) }), t('hosts.noJump'))),
      via ? t('hosts.via', { jump: via }) : t('hosts.direct')),
    field(t('hosts.sshConfigOverride'), triState(`hosts[${i}].ssh.use_ssh_config`, `ssh-config-${i}`, s.use_ssh_config, set(`hosts[${i}].ssh.use_ssh_config`))),
    el('label', { class: 'check anchor', 'data-field': `hosts[${i}].connection` },
      el('input', { type: 'checkbox', id: `local-${i}`, checked: h.connection === 'local', onchange: (e: Event) => set(`hosts[${i}].connection`)((e.target as HTMLInputElement).checked ? 'local' : undefined) }),
      t('hosts.local')))));
}

/** A problem names one of the host's SSH overrides: its row is shown, so the problem sits at its field. */
function sshProblem(ctx: Ctx, i: number): boolean {
  return ctx.state.problems.some((p) => p.field.startsWith(`hosts[${i}].ssh.`));
}

/** The engine's default for sudo: every user but root (the user's default from the field schema) gets it. */
function sudoByDefault(ssh: { user?: string }): boolean {
  return (ssh.user ?? defaultOf('ssh.user')) !== 'root';
}

/** Whether commands run through sudo: the setting, else the engine's default. */
export function effectiveSudo(ssh: { user?: string; sudo?: boolean }): boolean {
  return ssh.sudo ?? sudoByDefault(ssh);
}

/** The value to store for a ticked/unticked sudo box: nothing when it equals the default, so the file stays short. */
export function sudoSetting(ssh: { user?: string; sudo?: boolean }, checked: boolean): boolean | undefined {
  return checked === sudoByDefault(ssh) ? undefined : checked;
}

/** `count` example names after the schema's example host name: kafka001 → kafka001, kafka002, kafka003. */
export function exampleNames(example: string | undefined, count: number): string[] {
  if (!example) return [];
  const m = example.match(/^(.*?)(\d+)$/);
  if (!m) return [example];
  const [, stem, digits] = m;
  return Array.from({ length: count }, (_, k) => stem + String(Number(digits) + k).padStart(digits.length, '0'));
}

/** The roles the Hosts step offers: KRaft's broker and controller; ZooKeeper mode's broker and zookeeper, and also
 * controller — the KRaft controllers of the cluster's move to KRaft (Manage's Migrate to KRaft) — where the engine
 * says the release can migrate (`migrates_to_kraft`) or a host already has it (so it can be taken away). */
export function offeredRoles(kraft: boolean, migratesToKraft: boolean, hosts: HostDraft[]): string[] {
  if (kraft) return ['broker', 'controller'];
  const controllers = migratesToKraft || hosts.some((h) => h.roles.includes('controller'));
  return controllers ? ['broker', 'zookeeper', 'controller'] : ['broker', 'zookeeper'];
}

export function renderHosts(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const hosts = d.hosts ?? [];
  const release = ctx.releases.find((r) => r.version === d.kafka.version);
  const kraft = effectiveMode(d, release?.default_mode ?? null) === 'kraft';
  const roles = offeredRoles(kraft, release?.migrates_to_kraft ?? false, hosts);
  const migrationRole = !kraft && roles.includes('controller');
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const cell = (control: HTMLElement) => el('td', {}, control, el('div', { class: 'msg' }));
  const cols = kraft ? 6 : 7;

  const rows = hosts.flatMap((h, i) => [
    el('tr', { 'data-host': String(i) },
      cell(input(`hosts[${i}].name`, h.name, set(`hosts[${i}].name`))),
      cell(input(`hosts[${i}].address`, h.address, set(`hosts[${i}].address`))),
      el('td', { class: 'roles' }, el('span', { class: 'anchor', 'data-field': `hosts[${i}].roles` },
        roles.map((r) => el('label', { class: 'check' }, el('input', { type: 'checkbox', checked: h.roles.includes(r), onchange: (e: Event) => ctx.update(toggleRole(ctx.state.draft, i, r, (e.target as HTMLInputElement).checked), true) }), r))),
        el('div', { class: 'msg' })),
      cell(input(`hosts[${i}].id`, h.id, set(`hosts[${i}].id`), { type: 'number' })),
      kraft ? null : cell(input(`hosts[${i}].zookeeper_id`, h.zookeeper_id, set(`hosts[${i}].zookeeper_id`), { type: 'number' })),
      cell(input(`hosts[${i}].rack`, h.rack, set(`hosts[${i}].rack`))),
      el('td', { class: 'actions' },
        el('button', { class: 'small', id: `test-${i}`, onclick: () => void testConnection(ctx, i, null) }, t('hosts.test')),
        el('button', { class: 'small', 'aria-expanded': String(expandedSsh.has(i)), onclick: () => { if (expandedSsh.has(i)) expandedSsh.delete(i); else expandedSsh.add(i); ctx.rerender(); } }, t('hosts.override')),
        el('button', { class: 'small danger', 'aria-label': `${t('hosts.remove')} ${h.name}`, onclick: () => { connections.clear(); ctx.update(removeHost(ctx.state.draft, i), true); } }, '✕'))),
    expandedSsh.has(i) || sshProblem(ctx, i) ? sshOverrideRow(ctx, i, h, cols) : null,
    connectionRow(ctx, i, cols),
  ].filter((x): x is HTMLElement => x !== null));

  const table = hosts.length
    ? el('table', { class: 'hosts' },
        el('thead', {}, el('tr', {}, el('th', {}, t('hosts.name')), el('th', {}, t('hosts.address')), el('th', {}, t('hosts.roles')), el('th', {}, t('hosts.id')),
          kraft ? null : el('th', {}, t('hosts.myid')), el('th', {}, t('hosts.rack')), el('th', {}))),
        el('tbody', {}, rows))
    : el('div', { class: 'empty', id: 'hosts-empty' }, el('p', {}, t('hosts.empty')),
        el('div', { class: 'row' },
          el('button', { id: 'this-machine', onclick: () => void ctx.fileThisMachine() }, t('hosts.thisMachine')),
          el('small', { class: 'hint' }, t('hosts.thisMachineHint'))),
        el('div', { class: 'row' }, t('hosts.orExample'),
          el('button', { id: 'example-seed', onclick: () => void ctx.fileExample('seed-cluster') }, t('hosts.exampleSeed')),
          el('button', { id: 'example-kraft', onclick: () => void ctx.fileExample('kraft-cluster') }, t('hosts.exampleKraft'))));

  const pasteBox = el('textarea', { id: 'paste-hosts', rows: 3, placeholder: exampleNames(placeholderOf('hosts[].name'), 3).join('\n') });
  const pasteRole = el('select', { id: 'paste-role' }, roles.map((r) => el('option', { value: r }, r)));
  const ssh = d.ssh ?? {};
  return el('section', {},
    el('div', { class: 'anchor', 'data-field': 'hosts' }, table, el('div', { class: 'msg' })),
    migrationRole && hosts.length ? el('small', { class: 'hint', id: 'hosts-migration-hint' }, t('hosts.migrationRole')) : null,
    el('div', { class: 'row' },
      el('button', { id: 'add-host', onclick: () => ctx.update(addHost(ctx.state.draft, { roles: [roles[0]] }), true) }, `+ ${t('hosts.add')}`),
      el('button', { id: 'auto-number', onclick: () => ctx.update(autoNumber(ctx.state.draft), true) }, t('hosts.autonumber')),
      hosts.length > 1 ? el('button', { id: 'test-all', onclick: () => void Promise.all(hosts.map((_, i) => testConnection(ctx, i, null))) }, t('hosts.testAll')) : null),
    el('details', { class: 'paste' }, el('summary', {}, t('hosts.paste')), pasteBox, el('div', { class: 'row' }, t('hosts.pasteAs'), pasteRole,
      el('button', { id: 'paste-add', onclick: () => ctx.update(autoNumber(pasteHosts(ctx.state.draft, pasteBox.value, pasteRole.value)), true) }, t('hosts.pasteAdd')))),
    el('fieldset', {}, el('legend', {}, t('hosts.ssh')), el('div', { class: 'grid4' },
      field(t('hosts.sshUser'), input('ssh.user', ssh.user, (v) => {
        ctx.update(setField(ctx.state.draft, 'ssh.user', v));
        // the sudo box shows the default for the user being typed (no re-render: the field keeps its focus)
        const box = document.getElementById('ssh-sudo') as HTMLInputElement | null;
        if (box) box.checked = effectiveSudo(ctx.state.draft.ssh ?? {});
      })),
      field(t('hosts.sshPort'), input('ssh.port', ssh.port, set('ssh.port'), { type: 'number' })),
      field(t('hosts.sshKey'), input('ssh.identity_file', ssh.identity_file, set('ssh.identity_file'))),
      field(t('hosts.sshKnown'), input('ssh.known_hosts', ssh.known_hosts, set('ssh.known_hosts')))),
      el('div', { class: 'grid2' },
        field(t('hosts.sshJump'), input('ssh.jump', ssh.jump, set('ssh.jump')), t('hosts.sshJumpHint')),
        el('label', { class: 'check anchor', 'data-field': 'ssh.use_ssh_config' },
          el('input', { type: 'checkbox', id: 'ssh-use-config', checked: ssh.use_ssh_config === true, onchange: (e: Event) => set('ssh.use_ssh_config')((e.target as HTMLInputElement).checked ? true : undefined) }),
          t('hosts.sshConfig'), el('div', { class: 'msg' }))),
      el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'ssh-sudo', checked: effectiveSudo(ssh), onchange: (e: Event) => ctx.update(setField(ctx.state.draft, 'ssh.sudo', sudoSetting(ssh, (e.target as HTMLInputElement).checked))) }), t('hosts.sshSudo')),
      el('div', { class: 'grid2' },
        field(t('hosts.password'), el('input', { type: 'password', id: 'ssh-password', autocomplete: 'off', value: ctx.session.password, oninput: (e: Event) => { ctx.session.password = (e.target as HTMLInputElement).value; } })),
        field(t('hosts.passphrase'), el('input', { type: 'password', id: 'key-passphrase', autocomplete: 'off', value: ctx.session.keyPassphrase, oninput: (e: Event) => { ctx.session.keyPassphrase = (e.target as HTMLInputElement).value; } })),
        field(t('hosts.become'), el('input', { type: 'password', id: 'become-password', autocomplete: 'off', value: ctx.session.becomePassword, oninput: (e: Event) => { ctx.session.becomePassword = (e.target as HTMLInputElement).value; } })))),
  );
}
