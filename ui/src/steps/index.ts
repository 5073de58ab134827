// steps/index.ts — the wizard's steps, in order: each step's id, title, view, and what it forgets when another
// project is loaded. The app walks this list (the step bar, Back / Next, the current step); to add a step, write
// its module here beside the others and list it below.

import type { Ctx } from '../ctx.js';
import type { Key } from '../i18n.js';
import type { StepId } from '../types.js';
import { renderCoordination } from './coordination.js';
import { renderHosts, resetHosts } from './hosts.js';
import { renderInstall } from './install.js';
import { renderManage, resetManage } from './manage.js';
import { renderReview } from './review.js';
import { resetReviewDiff } from './review-diff.js';
import { resetPreflight } from './review-preflight.js';
import { renderSecurity } from './security.js';
import { resetSecurityClient } from './security-client.js';
import { renderStorage } from './storage.js';
import { renderVersion } from './version.js';

export interface WizardStep {
  id: StepId;
  /** The step's name in the step bar and its heading. */
  title: Key;
  render(ctx: Ctx): HTMLElement;
  /** Forgets what the step knows of the project beyond the draft (another project was loaded). */
  reset?(): void;
  /** The step is entered from another one (Review reads the hosts again: they may have changed meanwhile). */
  enter?(): void;
  /**
   * The step acts on the cluster: its buttons are enabled only for a valid project (so it is drawn again when
   * validity changes), and loading another project leaves it for the first step.
   */
  actsOnCluster?: boolean;
  /** The step's problem list takes every problem no field on screen shows, not only its own fields' (Review). */
  allProblems?: boolean;
}

export const STEPS: readonly WizardStep[] = [
  { id: 'version', title: 'step.version', render: renderVersion },
  { id: 'hosts', title: 'step.hosts', render: renderHosts, reset: resetHosts },
  { id: 'storage', title: 'step.storage', render: renderStorage },
  { id: 'coordination', title: 'step.coordination', render: renderCoordination },
  // Security, Review and Manage read the cluster's CA again when entered: an Install may have made it meanwhile.
  { id: 'security', title: 'step.security', render: renderSecurity, reset: resetSecurityClient, enter: resetSecurityClient },
  // Check hosts is kept when Review is entered again (its refusals block Install), forgotten with the project.
  { id: 'review', title: 'step.review', render: renderReview, reset: () => { resetReviewAll(); resetPreflight(); }, enter: resetReviewAll, allProblems: true },
  { id: 'install', title: 'step.install', render: renderInstall, actsOnCluster: true },
  { id: 'manage', title: 'step.manage', render: renderManage, reset: resetManageAll, enter: resetSecurityClient, actsOnCluster: true },
];

function resetReviewAll(): void {
  resetReviewDiff();
  resetSecurityClient();
}

function resetManageAll(): void {
  resetManage();
  resetSecurityClient();
}

/** The step with this id. */
export function stepOf(id: StepId): WizardStep {
  return STEPS.find((s) => s.id === id) ?? STEPS[0];
}

/** The step's position, from 0. */
export function stepIndex(id: StepId): number {
  return STEPS.findIndex((s) => s.id === id);
}

export function nextStep(step: StepId): StepId {
  return STEPS[Math.min(STEPS.length - 1, stepIndex(step) + 1)].id;
}

export function previousStep(step: StepId): StepId {
  return STEPS[Math.max(0, stepIndex(step) - 1)].id;
}
