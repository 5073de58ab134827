// reassign.ts — Manage's Rebalance, Decommission broker… and Remove controller…, their pure part (no DOM, unit-tested
// headless): the brokers a decommission can pick (the project's) and the dedicated controllers of a dynamic quorum a
// removal can, whether it waits for the project to be saved (the engine drops the host from the file), the request
// each sends, the engine's plan (`ReassignPlan`, what `rebalance --dry-run`
// prints) read as lines in the UI's language, the result line after a run, and the rebalance offer after a deploy
// that added brokers (the CLI's `rebalance_offer`).

import { t } from './i18n.js';
import { isDirty, type WizardState } from './state.js';
import type { DeploySummary, ProjectDraft, ReassignOutcome, ReassignPhase, ReassignPlan, ReassignRequest } from './types.js';

export interface BrokerChoice { id: number; host: string }

/** The project's brokers (hosts with the broker role and an id), by id: what Decommission broker… offers. */
export function brokerChoices(draft: ProjectDraft): BrokerChoice[] {
  return (draft.hosts ?? [])
    .filter((h) => h.roles.includes('broker') && typeof h.id === 'number')
    .map((h) => ({ id: h.id as number, host: h.name }))
    .sort((a, b) => a.id - b.id);
}

/**
 * The dedicated controllers Remove controller… offers: hosts whose only role is `controller`, with an id, in a project
 * whose KRaft quorum is dynamic (`kraft.quorum = "dynamic"`) and has another controller to keep running — what the
 * engine's `decommission --controller` can remove (it refuses the rest, saying why).
 */
export function controllerChoices(draft: ProjectDraft): BrokerChoice[] {
  if (draft.kraft?.quorum !== 'dynamic') return [];
  const controllers = (draft.hosts ?? []).filter((h) => h.roles.includes('controller') && typeof h.id === 'number');
  if (controllers.length < 2) return [];
  return controllers
    .filter((h) => h.roles.every((r) => r === 'controller'))
    .map((h) => ({ id: h.id as number, host: h.name }))
    .sort((a, b) => a.id - b.id);
}

/** The request of removing controller `id` from the dynamic quorum: no throttle (nothing moves), the file named. */
export function removeControllerRequest(id: number, path: string | null): ReassignRequest {
  return path ? { controller: id, path } : { controller: id };
}

/** A decommission rewrites the project file: held while there is no file or changes are not saved. */
export function decommissionHeld(state: WizardState): boolean {
  return state.path === null || isDirty(state);
}

/** The request of a rebalance (`broker` null) or of the decommission of `broker`; a decommission names the file. */
export function reassignRequest(broker: number | null, throttleMb: number | null, path: string | null): ReassignRequest {
  const request: ReassignRequest = {};
  if (broker !== null) request.broker = broker;
  if (throttleMb !== null && Number.isFinite(throttleMb) && throttleMb >= 1) request.throttle_mb = Math.floor(throttleMb);
  if (broker !== null && path) request.path = path;
  return request;
}

const MB = 1_000_000;

/** One phase of the plan as a line, in the UI's language (the engine's `ReassignPhase::title`, translated). */
export function phaseLine(phase: ReassignPhase): string {
  switch (phase.kind) {
    case 'finish-ongoing': return t('reassign.phaseFinishOngoing', { n: phase.partitions.length, mb: phase.bytes_per_second / MB });
    case 'throttle': {
      const topics = new Set(phase.changes.filter((c) => c.resource_type === 2).map((c) => c.resource)).size;
      return t('reassign.phaseThrottle', { mb: phase.bytes_per_second / MB, topics });
    }
    case 'reassign': {
      const copies = phase.moves.reduce((n, m) => n + m.to.filter((b) => !m.from.includes(b)).length, 0);
      const reorders = phase.moves.filter((m) => m.to.every((b) => m.from.includes(b))).length;
      return t('reassign.phaseReassign', { n: phase.moves.length, copies, reorders });
    }
    case 'clear-throttle': return t('reassign.phaseClearThrottle');
    case 'elect-leaders': return t('reassign.phaseElect');
    case 'stop-broker': return t('reassign.phaseStop', { host: phase.host, unit: phase.unit });
    case 'unregister-broker': return t('reassign.phaseUnregister', { broker: phase.broker });
    case 'drop-from-project': return t(phase.whole_host ? 'reassign.phaseDropHost' : 'reassign.phaseDropRole', { host: phase.host });
    case 'remove-voter': return t('reassign.phaseRemoveVoter', { controller: phase.controller, host: phase.host });
    case 'quorum-healthy': return t('reassign.phaseQuorumHealthy');
  }
}

/** The plan at a glance: moves, replica copies, the throttle (MB/s), whether nothing is to move. */
export interface PlanSummary {
  moves: string[];
  copies: number;
  throttleMb: number | null;
  /** Nothing to move, wait for or drop (`ReassignPlan::balanced`). */
  balanced: boolean;
  /** Per broker: replicas and preferred leaderships before → after. */
  spread: { broker: number; replicas: [number, number]; leaders: [number, number] }[];
}

export function planSummary(plan: ReassignPlan): PlanSummary {
  const reassign = plan.phases.find((p) => p.kind === 'reassign');
  const moves = reassign?.kind === 'reassign' ? reassign.moves : [];
  const throttle = plan.phases.find((p) => p.kind === 'throttle' || p.kind === 'finish-ongoing');
  const throttleMb = throttle && (throttle.kind === 'throttle' || throttle.kind === 'finish-ongoing') ? throttle.bytes_per_second / MB : null;
  return {
    moves: moves.map((m) => `${m.topic}-${m.partition} [${m.from.join(', ')}] → [${m.to.join(', ')}]`),
    copies: moves.reduce((n, m) => n + m.to.filter((b) => !m.from.includes(b)).length, 0),
    throttleMb,
    balanced: plan.phases.every((p) => p.kind === 'clear-throttle' || p.kind === 'elect-leaders'),
    spread: plan.before.map((b, i) => ({
      broker: b.broker,
      replicas: [b.replicas, plan.after[i]?.replicas ?? b.replicas],
      leaders: [b.leaders, plan.after[i]?.leaders ?? b.leaders],
    })),
  };
}

/** The result line after a run that succeeded. */
export function doneLine(outcome: ReassignOutcome, path: string | null): string {
  const moved = outcome.plan.phases.find((p) => p.kind === 'reassign');
  const n = moved?.kind === 'reassign' ? moved.moves.length : 0;
  const resumed = outcome.resumed > 0 ? ` ${t('reassign.resumed', { n: outcome.resumed })}` : '';
  if (outcome.plan.procedure.kind === 'remove_controller') {
    return t('reassign.doneRemoveController', { id: outcome.plan.procedure.controller, path: outcome.project?.path ?? path ?? '' });
  }
  if (outcome.plan.procedure.kind === 'decommission') {
    return t('reassign.doneDecommission', { id: outcome.plan.procedure.broker, n, path: outcome.project?.path ?? path ?? '' }) + resumed;
  }
  if (n === 0) return t('reassign.doneBalanced') + resumed;
  return t('reassign.doneRebalance', { n, elected: outcome.elected }) + resumed;
}

/** After a deploy: the brokers that joined a running cluster and hold nothing yet (Rebalance is offered), or null. */
export function rebalanceOffer(summary: DeploySummary): string[] | null {
  return summary.new_brokers.length ? summary.new_brokers.slice() : null;
}
