/**
 * Safety invariants (DESIGN.md §4). These are code, not policy: policy files can tune the
 * thresholds in `policies/safety.yml`, but no setting removes a rule. Each function is pure
 * and fails closed: when in doubt, nothing is allowed.
 */
export { hardCeiling, SAFETY_SHARE_PCT } from './ceiling.js';
export { DataGroupGuard, dataGroupKey, effectiveMaxDataGroups } from './data-groups.js';
export { massFailureReason } from './mass-failure.js';
export { checkSources, type SourceObservation, type SourceRefusal } from './sources.js';
export { verifyPlan, type PlanSafetyFacts } from './verify.js';
