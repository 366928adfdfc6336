#!/bin/sh
# The set stage of a breakfix pass, the way an operator would write it with coreutils and awk:
# the baseline that bench/pass-bench.ts runs side by side with `breakfix pass`.
#
#   bench/coreutils-pass.sh <inventory.tsv> <health.tsv> <hdfs-report.txt> <outdir>
#
# Writes one file per set into <outdir>: one host name per line, sorted unique in byte order,
# an empty file for an empty set -- the files a pass writes to <pass-dir>/sets/ (DESIGN.md §2).
#
# How: one awk per source turns its rows into "host<TAB>set" lines (host keys lower-cased), ONE
# `sort -u` orders them all, and one awk splits the stream into the raw set files, which come out
# sorted because the stream is sorted by host (TAB sorts before every host-name character). The
# derived sets of policies/sets.yml are then set algebra on sorted files:
#   a & b  ->  comm -12 a b        a - b  ->  comm -23 a b        a | b  ->  sort -m -u a b
# There is no YARN source in the bench: yarn-unhealthy and yarn-decommissioning are empty.
set -eu
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi
export LC_ALL=C

if [ "$#" -ne 4 ]; then
  echo "usage: $0 <inventory.tsv> <health.tsv> <hdfs-report.txt> <outdir>" >&2
  exit 2
fi
inventory=$1 health=$2 report=$3 out=$4
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/coreutils-pass.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

raw_sets='all managed allocated repair decommissioned ticketed excluded
  responsive unresponsive failing
  hdfs-all hdfs-live hdfs-dead hdfs-in-service hdfs-decommissioning hdfs-decommissioned hdfs-maintenance'
for s in $raw_sets; do : > "$out/$s"; done
: > "$tmp/health-seen"

{
  # Inventory: columns found by their header names; '-' or empty means none.
  awk -F '\t' '
    NR == 1 { for (i = 1; i <= NF; i++) col[tolower($i)] = i; next }
    $0 == "" || /^#/ { next }
    {
      h = tolower($col["host"]); lc = $col["lifecycle"]
      print h "\tall"
      if (lc == "managed" || lc == "allocated" || lc == "repair" || lc == "decommissioned") print h "\t" lc
      else { print "inventory: unknown lifecycle " lc " for " h > "/dev/stderr"; exit 1 }
      t = $col["ticket"];  if (t != "" && t != "-") print h "\tticketed"
      x = $col["exclude"]; if (x != "" && x != "-") print h "\texcluded"
      # One set per value, named as breakfix names them (src/sets/names.ts setNameSuffix).
      if ("cluster" in col) per("cluster", $col["cluster"])
      if ("rack" in col) per("rack", $col["rack"])
      if ("data_group" in col) per("group", $col["data_group"])
      if ("dc" in col) per("dc", $col["dc"])
    }
    function per(prefix, v) {
      gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (v == "" || v == "-") return
      v = tolower(v); sub(/^\/+/, "", v); gsub(/[^a-z0-9_.-]/, "_", v)
      if (v !~ /^[a-z0-9]/) v = "x" v
      print h "\t" prefix "-" v
    }' "$inventory"

  # Health: every host with a result is seen; a failed `reachable` is unresponsive, any other
  # failed check is failing. responsive = seen - unresponsive, below.
  awk -F '\t' '
    NR == 1 { for (i = 1; i <= NF; i++) col[tolower($i)] = i; next }
    $0 == "" || /^#/ { next }
    {
      h = tolower($col["host"])
      print h "\t.health-seen"
      c = tolower($col["check"])
      if (c != "reachable") { s = c; sub(/^\/+/, "", s); gsub(/[^a-z0-9_.-]/, "_", s); if (s !~ /^[a-z0-9]/) s = "x" s; seen[s] = 1 }
      if (tolower($col["status"]) == "fail") {
        if (c == "reachable") print h "\tunresponsive"
        else { print h "\tfailing"; print h "\tfailing-" s }
      }
    }
    # Every check seen gets its failing-<check> set, empty when nobody fails it (as breakfix writes it).
    END { for (s in seen) printf "" > (out "/failing-" s) }' out="$out" "$health"

  # HDFS: `hdfs dfsadmin -report`. The section header says live or dead; the host key is the
  # Hostname: value; Decommission Status gives the admin state. In service = live and Normal.
  awk '
    BEGIN { section = "hdfs-live" }  # a filtered report without sections: breakfix counts its nodes as live
    /^Live datanodes \(/ { section = "hdfs-live"; next }
    /^Dead datanodes \(/ { section = "hdfs-dead"; next }
    /^Hostname:/ {
      h = $0; sub(/^Hostname:[ \t]*/, "", h); sub(/[ \t\r]+$/, "", h); h = tolower(h)
      print h "\thdfs-all"; print h "\t" section
      next
    }
    /^Decommission Status :/ {
      st = $0; sub(/^Decommission Status :[ \t]*/, "", st); sub(/[ \t\r]+$/, "", st)
      if (st == "Normal") { if (section == "hdfs-live") print h "\thdfs-in-service" }
      else if (st == "Decommission in progress") print h "\thdfs-decommissioning"
      else if (st == "Decommissioned") print h "\thdfs-decommissioned"
      else if (st == "Entering maintenance" || st == "In maintenance") print h "\thdfs-maintenance"
    }' "$report"
} | sort -u | awk -F '\t' -v out="$out" -v tmp="$tmp" '
  $2 == ".health-seen" { print $1 > (tmp "/health-seen"); next }
  { print $1 > (out "/" $2) }'

cd "$out"
: > "$tmp/yarn-unhealthy"
: > "$tmp/yarn-decommissioning"
comm -23 "$tmp/health-seen" unresponsive > responsive

# unknown = (managed - hdfs-all) | (hdfs-all - all)
comm -23 managed hdfs-all > "$tmp/managed-not-in-hdfs"
comm -23 hdfs-all all > "$tmp/hdfs-not-in-inventory"
sort -m -u "$tmp/managed-not-in-hdfs" "$tmp/hdfs-not-in-inventory" > unknown

# in-flight = managed & (hdfs-dead | hdfs-decommissioning | hdfs-decommissioned | hdfs-maintenance | yarn-decommissioning) | repair
sort -m -u hdfs-dead hdfs-decommissioning hdfs-decommissioned hdfs-maintenance "$tmp/yarn-decommissioning" |
  comm -12 managed - | sort -m -u - repair > in-flight

# passing = responsive - failing
comm -23 responsive failing > passing

# drain-candidates = managed & hdfs-in-service & (failing | unresponsive | yarn-unhealthy) - ticketed - excluded - unknown - in-flight
sort -m -u ticketed excluded unknown > "$tmp/hands-off"
sort -m -u "$tmp/hands-off" in-flight > "$tmp/hands-off-or-out"
sort -m -u failing unresponsive "$tmp/yarn-unhealthy" |
  comm -12 hdfs-in-service - | comm -12 managed - | comm -23 - "$tmp/hands-off-or-out" > drain-candidates

# return-candidates = managed & hdfs-decommissioned & passing - ticketed - excluded - unknown
comm -12 managed hdfs-decommissioned | comm -12 - passing | comm -23 - "$tmp/hands-off" > return-candidates
