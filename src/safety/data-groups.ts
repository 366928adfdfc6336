/**
 * Data groups (HDFS upgrade domains, DESIGN.md §4): with replication 3 and upgrade-domain
 * placement, every block has replicas in 3 distinct groups, so one whole group out of service
 * loses no data and two may. The rule counts hosts already out (in-flight) plus the hosts a
 * plan would add. A host without a data group counts as a group of its own: we cannot prove it
 * shares a group with anyone.
 */

/** The group key of a host: its data group, or a group of its own when it has none. */
export function dataGroupKey(host: string, dataGroup: string | null): string {
  return dataGroup === null ? `(no group: ${host})` : dataGroup;
}

/**
 * How many distinct data groups may be out of service at once in a cluster: the policy value
 * (a cluster override may raise it), but never above replication − 1 and never below 0.
 * With replication 1 this is 0: no host may be taken out.
 */
export function effectiveMaxDataGroups(policyValue: number, replicationFactor: number): number {
  return Math.max(0, Math.min(Math.floor(policyValue), Math.floor(replicationFactor) - 1));
}

/**
 * Tracks the distinct groups out of service in one cluster while hosts are picked.
 * `admits(key)` is true when taking a host of group `key` keeps the count within `max`.
 */
export class DataGroupGuard {
  private readonly groups: Set<string>;

  constructor(inFlightGroupKeys: Iterable<string>, readonly max: number) {
    this.groups = new Set(inFlightGroupKeys);
  }

  /** Distinct groups out now (in-flight plus admitted). */
  get count(): number {
    return this.groups.size;
  }

  /** The groups out now, sorted. */
  get keys(): string[] {
    return [...this.groups].sort();
  }

  admits(key: string): boolean {
    return this.groups.has(key) ? this.groups.size <= this.max : this.groups.size + 1 <= this.max;
  }

  /** Record a picked host's group. Call only after `admits(key)` was true. */
  add(key: string): void {
    this.groups.add(key);
  }
}
