#!/usr/bin/env bash
# Measures what going distributed costs: the attribution job on a Flink standalone session cluster
# (deploy/local-cluster.sh) with 1 and 2 TaskManagers at parallelism 1, 2 and 4, every run reading the same
# pre-filled Kafka topics (4 partitions each) to their end (--bounded) and writing SQLite. On one machine more
# TaskManagers add network shuffles and serialization between JVMs, never cores: this shows that overhead.
#   bench/scaling.sh [EVENTS]   (default 2000000: clicks and page views, 100,000 users, 20% clicks)
# Needs sqlite3 (to count the rows), curl (Flink's REST API) and python3 (free ports, the REST answers' JSON).
# Starts its own broker and clusters on free ports, in a scratch folder under ${TMPDIR:-/tmp} that it deletes
# at the end; prints one table.
set -euo pipefail
SCRIPT=bench/scaling.sh
EVENTS="${1:-2000000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/cluster-runs.sh
source "$ROOT/bench/cluster-runs.sh"

prefill "$EVENTS"
VIEWS=""
printf '%-28s %11s %10s %10s %12s %10s\n' "cluster" "parallelism" "seconds" "events/s" "TM CPU s" "us/event"
for run in "1 4 1" "1 4 2" "1 4 4" "2 1 2" "2 2 4"; do
  read -r TMS SLOTS P <<<"$run"
  attribution_run "run-$TMS-$P" "$TMS" "$SLOTS" "$P"
  cluster_stop
  if [[ -z "$VIEWS" ]]; then VIEWS="$ROWS"; fi
  [[ "$ROWS" == "$VIEWS" ]] || { echo "$SCRIPT: $ROWS rows at $TMS TaskManager(s), parallelism $P; the first run wrote $VIEWS" >&2; exit 1; }
  awk -v tms="$TMS" -v slots="$SLOTS" -v p="$P" -v ms="$MS" -v cpu="$TICKS" -v n="$EVENTS" 'BEGIN {
    printf "%-28s %11d %10.1f %10.0f %12.1f %10.1f\n", tms " TaskManager(s) x " slots " slots", p, ms / 1000, n / (ms / 1000), cpu / 100, cpu / 100 * 1e6 / n }'
done
echo "Every run wrote the same $VIEWS attributed_page_views rows. Seconds: the job's duration on the cluster (Flink's" \
  "REST), from submission to finished; TM CPU: user + system time of the TaskManager JVMs during it (the JobManager," \
  "the broker and SQLite's file are outside it)."
