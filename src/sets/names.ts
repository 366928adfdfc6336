/**
 * Names of sets. A set name is what operators write in `policies/sets.yml` and what the set's
 * file is called in the pass directory, so it must be a safe file name and a token of the set
 * notation: lower-case letters, digits, `_`, `.` and `-`, starting with a letter or digit.
 */

/** Grammar of a set name (also the file name of the set). */
export const SET_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/**
 * Turn a value from a source (a cluster, rack, data group or check name) into the suffix of a
 * per-value set name: lower-cased, leading `/` dropped (Hadoop racks are paths like
 * `/dc1/rack12`), every other character outside `[a-z0-9_.-]` replaced by `_`.
 * `"/dc1/Rack12"` → `"dc1_rack12"`; used as `rack-dc1_rack12`.
 */
export function setNameSuffix(value: string): string {
  const s = value.trim().toLowerCase().replace(/^\/+/, '').replace(/[^a-z0-9_.-]/g, '_');
  return /^[a-z0-9]/.test(s) ? s : `x${s}`;
}

/** Raw sets every pass derives (DESIGN.md §2 step 1), whether or not their source is configured. */
export const RAW_SET_NAMES = [
  // inventory
  'all', 'managed', 'allocated', 'repair', 'decommissioned', 'ticketed', 'excluded',
  // health
  'responsive', 'unresponsive', 'failing',
  // HDFS NameNode
  'hdfs-all', 'hdfs-live', 'hdfs-dead', 'hdfs-in-service', 'hdfs-decommissioning', 'hdfs-decommissioned', 'hdfs-maintenance',
  // YARN ResourceManager
  'yarn-all', 'yarn-running', 'yarn-unhealthy', 'yarn-decommissioning', 'yarn-decommissioned', 'yarn-lost', 'yarn-shutdown',
  'yarn-new', 'yarn-rebooted',
] as const;

/** Prefixes of per-value raw sets: `cluster-<name>`, `rack-<name>`, `group-<data group>`, `dc-<name>`, `failing-<check>`. */
export const RAW_SET_PREFIXES = ['cluster-', 'rack-', 'group-', 'dc-', 'failing-'] as const;

/** True when `name` is a raw set name or a per-value raw set name. */
export function isRawSetName(name: string): boolean {
  if ((RAW_SET_NAMES as readonly string[]).includes(name)) return true;
  return RAW_SET_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length);
}
