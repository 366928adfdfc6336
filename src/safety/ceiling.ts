/**
 * The hard ceiling (DESIGN.md §4): whatever the policy says, one plan never takes more than
 * {@link SAFETY_SHARE_PCT} % of a cluster's managed hosts, rounded down, but never less than one
 * host, so small clusters still get maintenance.
 */

/** Share of a cluster one plan may take, in percent. Fixed in code on purpose. */
export const SAFETY_SHARE_PCT = 10;

/** max(1, ⌊10 % × managed⌋): most hosts of one cluster a single plan may hold. */
export function hardCeiling(managed: number): number {
  return Math.max(1, Math.floor((managed * SAFETY_SHARE_PCT) / 100));
}
