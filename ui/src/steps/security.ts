// steps/security.ts — Security: the protection (TLS + SASL/SCRAM, TLS only, or plaintext), the SASL mechanism,
// where certificates come from (the wizard's own CA, or a provided CA with each Kafka host's certificate and key),
// the admin user, application users and their ACLs; and the cluster's CA fingerprint and expiry once there is one
// (security-client.ts). Passwords and keys never appear here: the engine keeps them in its secrets store.

import type { Ctx } from '../ctx.js';
import { el, field, input } from '../dom.js';
import { placeholderOf } from '../field-schema.js';
import { t, type Key } from '../i18n.js';
import { ACL_PATTERNS, ACL_RESOURCES, MECHANISMS, PROTECTIONS, parseList, protectionOf, type Protection } from '../security.js';
import { setField } from '../state.js';
import type { AclDraft } from '../types.js';
import { caView } from './security-client.js';

const PROTECTION_LABEL: Record<Protection, Key> = { sasl_ssl: 'sec.saslSsl', ssl: 'sec.ssl', plaintext: 'sec.plaintext' };

/** A <select> bound to a project field; '' (the first option when `blank` is given) leaves the key out. */
function select(path: string, value: string | undefined, options: readonly string[], onValue: (v: string | undefined) => void, blank?: string): HTMLSelectElement {
  const node = el('select', { 'data-field': path, onchange: (e: Event) => onValue((e.target as HTMLSelectElement).value || undefined) },
    blank !== undefined ? el('option', { value: '' }, blank) : null,
    options.map((o) => el('option', { value: o }, o)));
  node.value = value ?? (blank !== undefined ? '' : options[0]);
  return node;
}

function aclRow(ctx: Ctx, acl: AclDraft, i: number, users: string[]): HTMLElement {
  const path = (k: string) => `security.acls[${i}].${k}`;
  const set = (k: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path(k), v));
  const remove = () => ctx.update(setField(ctx.state.draft, 'security.acls', (ctx.state.draft.security?.acls ?? []).filter((_, j) => j !== i)), true);
  const user = input(path('user'), acl.user, set('user'), { placeholder: users[0] ?? null });
  user.setAttribute('list', 'acl-users');
  return el('tr', { class: 'anchor', 'data-acl': i },
    el('td', {}, user, el('div', { class: 'msg' })),
    el('td', {}, select(path('resource'), acl.resource, ACL_RESOURCES, set('resource'), ''), el('div', { class: 'msg' })),
    el('td', {}, input(path('name'), acl.name, set('name'), { placeholder: null }), el('div', { class: 'msg' })),
    el('td', {}, select(path('pattern'), acl.pattern, ACL_PATTERNS, set('pattern')), el('div', { class: 'msg' })),
    el('td', {}, input(path('operations'), (acl.operations ?? []).join(', '), (v) => set('operations')(parseList(String(v ?? ''))), { placeholder: null }), el('div', { class: 'msg' })),
    el('td', {}, el('button', { class: 'small danger', 'aria-label': t('hosts.remove'), id: `remove-acl-${i}`, onclick: remove }, '✕')));
}

function aclsView(ctx: Ctx, acls: AclDraft[], users: string[]): HTMLElement {
  // the users as typed by now (the users box edits the draft without drawing the step again)
  const add = () => {
    const sec = ctx.state.draft.security ?? {};
    ctx.update(setField(ctx.state.draft, 'security.acls', [...(sec.acls ?? []), { user: sec.users?.[0], resource: 'topic', operations: ['describe'] }]), true);
  };
  return el('fieldset', { class: 'anchor', 'data-field': 'security.acls' }, el('legend', {}, t('sec.acls')),
    el('datalist', { id: 'acl-users' }, users.map((u) => el('option', { value: u }))),
    acls.length
      ? el('table', { class: 'acls', id: 'acls' },
          el('thead', {}, el('tr', {}, ...(['sec.aclUser', 'sec.aclResource', 'sec.aclName', 'sec.aclPattern', 'sec.aclOps'] as Key[]).map((k) => el('th', {}, t(k))), el('th', {}))),
          el('tbody', {}, acls.map((a, i) => aclRow(ctx, a, i, users))))
      : el('p', { class: 'empty' }, t('sec.noAcls')),
    el('button', { id: 'add-acl', onclick: add }, `+ ${t('sec.addAcl')}`),
    el('div', { class: 'msg' }));
}

function certificatesView(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const ca = d.security?.ca ?? placeholderOf('security.ca') ?? 'generate';
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const radio = (value: 'generate' | 'provided', label: string) => el('label', { class: 'radio' },
    el('input', { type: 'radio', name: 'security-ca', id: `ca-${value}`, checked: ca === value, onchange: () => ctx.update(setField(ctx.state.draft, 'security.ca', value), true) }), label);
  const kafkaHosts = (d.hosts ?? []).map((h, i) => ({ h, i })).filter(({ h }) => h.roles.includes('broker') || h.roles.includes('controller'));
  const provided = ca === 'provided'
    ? [field(t('sec.caCert'), input('security.ca_cert', d.security?.ca_cert, set('security.ca_cert'), { placeholder: '~/pki/ca.pem' })),
        el('p', {}, t('sec.hostCerts')),
        kafkaHosts.length
          ? el('div', { class: 'grid3', id: 'host-certs' }, kafkaHosts.flatMap(({ h, i }) => [
              el('strong', { class: 'host-cert-name' }, h.name || `#${i}`),
              field(t('sec.tlsCert'), input(`hosts[${i}].tls_cert`, h.tls_cert, set(`hosts[${i}].tls_cert`), { placeholder: `~/pki/${h.name || 'host'}.pem` })),
              field(t('sec.tlsKey'), input(`hosts[${i}].tls_key`, h.tls_key, set(`hosts[${i}].tls_key`), { placeholder: `~/pki/${h.name || 'host'}.key` }))]))
          : el('p', { class: 'empty' }, t('sec.noKafkaHosts'))]
    : [];
  return el('fieldset', { class: 'anchor', 'data-field': 'security.ca' }, el('legend', {}, t('sec.ca')),
    radio('generate', t('sec.caGenerate')), radio('provided', t('sec.caProvided')), el('div', { class: 'msg' }), ...provided);
}

export function renderSecurity(ctx: Ctx): HTMLElement {
  const d = ctx.state.draft;
  const protection = protectionOf(d);
  const set = (path: string) => (v: unknown) => ctx.update(setField(ctx.state.draft, path, v));
  const protectionRadio = (p: Protection) => el('label', { class: 'radio' },
    el('input', { type: 'radio', name: 'security-protocol', id: `protocol-${p}`, checked: protection === p, onchange: () => ctx.update(setField(ctx.state.draft, 'security.protocol', p), true) }),
    t(PROTECTION_LABEL[p]));
  const head = el('fieldset', { class: 'anchor', 'data-field': 'security' }, el('legend', {}, t('sec.protocol')),
    el('div', { class: 'anchor', 'data-field': 'security.protocol' }, PROTECTIONS.map(protectionRadio), el('div', { class: 'msg' })),
    el('div', { class: 'msg' }));
  if (protection === 'plaintext') return el('section', { class: 'form' }, head);
  const sec = d.security ?? {};
  const users = sec.users ?? [];
  const defaultMechanism = placeholderOf('security.sasl_mechanism') ?? MECHANISMS[0];
  return el('section', { class: 'form' }, head,
    protection === 'sasl_ssl'
      ? field(t('sec.mechanism'), select('security.sasl_mechanism', sec.sasl_mechanism, MECHANISMS, set('security.sasl_mechanism'), t('sec.mechanismDefault', { m: defaultMechanism })))
      : null,
    certificatesView(ctx),
    caView(ctx),
    protection === 'sasl_ssl'
      ? [field(t('sec.admin'), input('security.admin_user', sec.admin_user, set('security.admin_user'))),
          field(t('sec.users'), el('textarea', { id: 'security-users', 'data-field': 'security.users', rows: 3,
            oninput: (e: Event) => ctx.update(setField(ctx.state.draft, 'security.users', parseList((e.target as HTMLTextAreaElement).value))) }, users.join('\n'))),
          aclsView(ctx, sec.acls ?? [], [...users])]
      : null,
    el('p', { class: 'muted' }, t('sec.plainNote')));
}
