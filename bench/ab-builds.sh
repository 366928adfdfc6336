#!/usr/bin/env bash
# Compare two builds of breakfix on the same fleet: `breakfix pass` of each, alternated run by run,
# and their medians of wall time and CPU time (user + sys). On a machine whose speed swings
# ±15-40 % within minutes, this is what shows whether a change helps: one `npm run bench` ratio
# moves ±8 % on its own (bench/README.md, 2026-12-07).
#
#   bench/ab-builds.sh [--runs N] [--fleet DIR] A B
#
# A and B: a git revision (built in a temporary worktree sharing this checkout's node_modules) or
# a directory holding a built breakfix (dist/src/cli.js); `.` is this checkout as built now.
# --fleet: a directory with inventory.tsv, health.tsv and hdfs-report.txt (default
# bench/out/100000, generated with `npm run bench` or `node dist/bench/pass-bench.js --sizes
# 100000`). --runs: runs of each build (default 11). Needs GNU time at /usr/bin/time.
# Every run writes a pass directory of its own under a temporary directory, deleted at the end
# (deleting thousands of files between runs slows the next run's creates on some disks). With
# TMPDIR=/dev/shm they are kept in memory and the runs compare the work: on this machine's disk
# (2026-12-07) every pass of both builds took ~5 s against ~2.3 s in memory, the disk's state
# deciding more than the code (each run keeps ~150 MB at 100k hosts).
set -euo pipefail

runs=11
fleet=bench/out/100000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --fleet) fleet=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) echo "ab-builds: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 2 ]; then echo "usage: bench/ab-builds.sh [--runs N] [--fleet DIR] A B (see --help)" >&2; exit 2; fi
case "$runs" in ''|*[!0-9]*|0) echo "ab-builds: --runs expects a whole number from 1, got $runs" >&2; exit 2 ;; esac
for f in inventory.tsv health.tsv hdfs-report.txt; do
  [ -f "$fleet/$f" ] || { echo "ab-builds: $fleet/$f is missing; generate the fleet first (npm run bench)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "ab-builds: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ab-builds.XXXXXX")
worktrees=()
cleanup() {
  for w in "${worktrees[@]}"; do git -C "$root" worktree remove --force "$w" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A built breakfix for $1, its directory in $built.
build() {
  if [ -f "$1/dist/src/cli.js" ]; then built=$(cd "$1" && pwd); return; fi
  local rev=$1 dir
  dir="$work/build-$(printf '%s' "$rev" | tr -c 'A-Za-z0-9._-' '_')"
  git -C "$root" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "ab-builds: $rev is neither a built directory nor a git revision" >&2; exit 2; }
  git -C "$root" worktree add --detach "$dir" "$rev" >/dev/null 2>&1
  worktrees+=("$dir")
  ln -s "$root/node_modules" "$dir/node_modules"
  echo "building $rev in $dir …" >&2
  (cd "$dir" && npm run build >/dev/null 2>&1) || { echo "ab-builds: npm run build failed for $rev" >&2; exit 1; }
  built=$dir
}
build "$1"; a=$built
build "$2"; b=$built

# One pass of the build in $1: "<wall ms> <cpu ms>".
run() {
  local out="$work/runs/$RANDOM$RANDOM"
  mkdir -p "$out"
  # A source older than the policy's freshness limit stops the pass after its parse (and it then looks fast).
  touch "$fleet/inventory.tsv" "$fleet/health.tsv" "$fleet/hdfs-report.txt"
  sync
  local s e
  s=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/time" node "$1/dist/src/cli.js" pass --dc bench --inventory "$fleet/inventory.tsv" --health "$fleet/health.tsv" \
    --hdfs-report "$fleet/hdfs-report.txt" --pass-dir "$out/p" --state "$out/s" --seed 1 --quiet >/dev/null 2>"$work/err" \
    || { echo "ab-builds: the pass of $1 failed:" >&2; cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  echo "$(( (e - s) / 1000000 )) $(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/time")"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wa=(); ca=(); wb=(); cb=()
for i in $(seq "$runs"); do
  # Alternate which goes first, so neither always runs on the other's warm caches.
  if (( i % 2 )); then ra=$(run "$a"); rb=$(run "$b"); else rb=$(run "$b"); ra=$(run "$a"); fi
  wa+=("${ra% *}"); ca+=("${ra#* }"); wb+=("${rb% *}"); cb+=("${rb#* }")
  echo "run $i/$runs: A ${ra% *} ms (cpu ${ra#* })  B ${rb% *} ms (cpu ${rb#* })" >&2
done
echo "A $1: wall $(median "${wa[@]}") ms, cpu $(median "${ca[@]}") ms (medians of $runs)"
echo "B $2: wall $(median "${wb[@]}") ms, cpu $(median "${cb[@]}") ms (medians of $runs)"
