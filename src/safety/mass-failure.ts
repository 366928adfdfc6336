/**
 * Mass failure (DESIGN.md §4): when a large share of a cluster looks failing or unresponsive at
 * once, the observer (a network partition, a broken check) is more likely wrong than the hosts.
 */

/**
 * The refusal reason when more than `maxSharePct` % of a cluster's managed hosts look bad, else null.
 * `lookingBad` counts managed hosts that are failing or unresponsive. A cluster with no managed
 * host is never refused by this rule (there is nothing to act on).
 */
export function massFailureReason(cluster: string, managed: number, lookingBad: number, maxSharePct: number): string | null {
  if (managed === 0) return null;
  const share = (lookingBad * 100) / managed;
  if (share <= maxSharePct) return null;
  return (
    `mass failure: ${lookingBad} of ${managed} managed hosts in ${cluster} (${share.toFixed(1)} %) look failing or ` +
    `unresponsive, above the ${maxSharePct} % limit; the observer is more likely wrong than the hosts, proposing nothing here`
  );
}
