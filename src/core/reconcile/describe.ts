import { shortHash } from '../util/text.js';
import type { Disagreement } from './inspect.js';
import type { StepIdentity } from '../rollout/step-identity.js';

/** "advance fraud@2 canary-10 (step 3f9a0c1d2e4b)". */
export const describeStep = (s: StepIdentity): string =>
  `${s.action} ${s.model}@${s.version}${s.stage && s.stage !== s.action ? ` ${s.stage}` : ''} (step ${s.id})`;

/** What disagrees without being settled by mlctl (a warning, never in the way). */
export function warningOf(d: Extract<Disagreement, { kind: 'registry-ahead' | 'superseded' }>): string {
  if (d.kind === 'registry-ahead')
    return `the registry's last step of ${d.model} (${d.step.action} ${d.step.stage}, step ${d.step.id}, commit ${shortHash(d.step.commit ?? '')}) is not in the history of the current branch: the serving files may not say what the registry says; pull, or check git log`;
  return `${shortHash(d.commit)} (${describeStep(d.step)}) was committed by mlctl but never recorded, and the registry has recorded later steps since (${d.by.id}); check that the serving files say what mlctl rollout status says`;
}
