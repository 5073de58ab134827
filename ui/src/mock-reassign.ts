// mock-reassign.ts — the mock backend's rebalance, decommission and controller removal (tests only, like
// mock-backend.ts): one topic
// `orders`, 6 partitions with replication factor 2 on every broker of the project but the last (a broker just added),
// so a rebalance moves some onto it and a decommission drains one. Refused as the engine refuses: a decommission
// leaving fewer brokers than the replication factor, a broker the project does not have, or `refusal` (the engine's
// words, given by a test). It is NOT the engine's planner: it only gives the UI a plan of the engine's shape.

import type { EngineEvent, ProjectDraft, ReassignOutcome, ReassignPhase, ReassignPlan, ReassignRequest, Reassignment } from './types.js';

const RF = 2;

function brokers(d: ProjectDraft): { id: number; host: string; whole: boolean }[] {
  return (d.hosts ?? []).filter((h) => h.roles.includes('broker') && typeof h.id === 'number')
    .map((h) => ({ id: h.id as number, host: h.name, whole: h.roles.every((r) => r === 'broker') }))
    .sort((a, b) => a.id - b.id);
}

function loads(parts: number[][], ids: number[]) {
  return ids.map((b) => ({ broker: b, replicas: parts.filter((r) => r.includes(b)).length, leaders: parts.filter((r) => r[0] === b).length }));
}

/** A dedicated controller's removal from a dynamic quorum, as `reassign::controller::plan` shapes it (its warning
 * below three voters included), or the engine's refusal of a controller the project does not have. */
function removeControllerPlan(d: ProjectDraft, id: number): ReassignPlan | string {
  const controllers = (d.hosts ?? []).filter((h) => h.roles.includes('controller') && typeof h.id === 'number');
  const gone = controllers.find((h) => h.id === id);
  if (!gone) return `no host in the project is controller ${id} (controllers: [${controllers.map((h) => h.id).join(', ')}]); was it already removed? — nothing was changed`;
  const remaining = controllers.filter((h) => h.id !== id).map((h) => h.id as number).sort((a, b) => a - b);
  const warnings = remaining.length < 3
    ? [`the quorum is left with ${remaining.length} voter(s) ([${remaining.join(', ')}]): a majority of ${remaining.length} is ${remaining.length}, so it no longer tolerates a controller failure`]
    : [];
  return { procedure: { kind: 'remove_controller', controller: id }, warnings, before: [], after: [], phases: [
    { kind: 'remove-voter', controller: id, host: gone.name },
    { kind: 'stop-broker', host: gone.name, unit: 'kafka-server.service' },
    { kind: 'drop-from-project', host: gone.name, whole_host: true },
    { kind: 'quorum-healthy' },
  ] };
}

/** The plan of `request` for the draft's cluster, or the engine's refusal text. */
export function mockReassignPlan(d: ProjectDraft, request: ReassignRequest, refusal: string | undefined): ReassignPlan | string {
  if (refusal) return `${refusal} — nothing was changed`;
  if (request.controller !== undefined) return removeControllerPlan(d, request.controller);
  const all = brokers(d);
  const ids = all.map((b) => b.id);
  const old = ids.length > RF ? ids.slice(0, -1) : ids;
  const parts = Array.from({ length: 6 }, (_, p) => Array.from({ length: RF }, (_, k) => old[(p + k) % old.length]));
  const mb = request.throttle_mb ?? 50;
  const broker = request.broker;
  let moves: Reassignment[];
  const tail: ReassignPhase[] = [];
  if (broker === undefined) {
    const fresh = ids[ids.length - 1];
    moves = ids.length > RF ? [0, 3].map((p) => ({ topic: 'orders', partition: p, from: parts[p], to: [parts[p][0], fresh] })) : [];
  } else {
    const gone = all.find((b) => b.id === broker);
    if (!gone) return `no host in the project is broker ${broker} (brokers: [${ids.join(', ')}]); was it already decommissioned? — nothing was changed`;
    const rest = ids.filter((b) => b !== broker);
    if (rest.length < RF) return `without broker ${broker} (${gone.host}) ${rest.length} broker(s) remain, too few: orders has replication factor ${RF} — add a broker first, or lower those topics' replication — nothing was changed`;
    moves = parts.flatMap((r, p) => {
      if (!r.includes(broker)) return [];
      const spare = rest.find((b) => !r.includes(b)) as number;
      return [{ topic: 'orders', partition: p, from: r, to: r.map((b) => (b === broker ? spare : b)) }];
    });
    tail.push({ kind: 'stop-broker', host: gone.host, unit: 'kafka-server.service' });
    if ((d.kafka.mode ?? 'kraft') === 'kraft') tail.push({ kind: 'unregister-broker', broker });
    tail.push({ kind: 'drop-from-project', host: gone.host, whole_host: gone.whole });
  }
  const after = parts.map((r, p) => moves.find((m) => m.partition === p)?.to ?? r);
  const phases: ReassignPhase[] = [
    ...(moves.length ? [{ kind: 'throttle', bytes_per_second: mb * 1_000_000, changes: [] } as ReassignPhase, { kind: 'reassign', moves } as ReassignPhase] : []),
    { kind: 'clear-throttle', changes: [] }, { kind: 'elect-leaders' }, ...tail,
  ];
  const procedure = broker === undefined ? { kind: 'rebalance' as const } : { kind: 'decommission' as const, broker };
  return { procedure, phases, before: loads(parts, ids), after: loads(after, ids), warnings: [] };
}

/** Replays the plan's phases as the engine's events, `step` awaited between them (delay, Cancel); the outcome. */
export async function mockReassignRun(plan: ReassignPlan, onEvent: (e: EngineEvent) => void, step: () => Promise<boolean>): Promise<ReassignOutcome | 'cancelled'> {
  const wizard = { on: 'wizard' } as const;
  for (const phase of plan.phases) {
    onEvent({ event: 'phase_started', phase: phase.kind, title: phase.kind, targets: [wizard] });
    if (phase.kind === 'reassign') {
      for (const m of phase.moves) onEvent({ event: 'step_finished', target: wizard, step: `reassign ${m.topic}-${m.partition}`, outcome: { outcome: 'changed', detail: `[${m.from}] → [${m.to}]` } });
      for (let left = phase.moves.length; left >= 0; left--) {
        onEvent({ event: 'log', target: wizard, message: `reassigned ${phase.moves.length - left} of ${phase.moves.length}; ${left} partition(s) still moving` });
        if (left > 0 && !(await step())) return 'cancelled';
      }
    } else if (phase.kind === 'stop-broker') {
      onEvent({ event: 'step_finished', target: { on: 'host', name: phase.host }, step: `stop and disable ${phase.unit}`, outcome: { outcome: 'changed', detail: 'stopped and disabled; its files stay on the host' } });
    }
    onEvent({ event: 'phase_finished', phase: phase.kind });
  }
  const brokers = plan.after.map((b) => ({ broker: b.broker, replicas: b.replicas, leads: b.leaders }));
  return { plan, resumed: 0, elected: plan.phases.some((p) => p.kind === 'reassign') ? 2 : 0, brokers, project: null };
}
