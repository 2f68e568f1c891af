#!/usr/bin/env bash
# Measures checkpoints under back-pressure with and without Flink's unaligned checkpoints and buffer debloating:
# the attribution job catching up on pre-filled Kafka topics (its sources read faster than the keyed stage and
# the SQLite sink take, so the network buffers between them stay full, as after an outage) on a standalone
# cluster of 2 TaskManagers x 1 slot (the keyed shuffle crosses JVMs), parallelism 2, a checkpoint every 2 s.
#   bench/checkpoints.sh [EVENTS]   (default 4000000: clicks and page views, 100,000 users, 20% clicks)
# Per configuration a fresh cluster with the settings in its config.yaml (deploy/local-cluster.sh --set);
# prints the job's events/s and its checkpoints' statistics from Flink's REST API.
# Needs sqlite3, curl and python3; runs in a scratch folder under ${TMPDIR:-/tmp} that it deletes at the end.
set -euo pipefail
SCRIPT=bench/checkpoints.sh
EVENTS="${1:-4000000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/cluster-runs.sh
source "$ROOT/bench/cluster-runs.sh"

UNALIGNED=execution.checkpointing.unaligned.enabled=true
DEBLOAT=taskmanager.network.memory.buffer-debloat.enabled=true
prefill "$EVENTS"
VIEWS=""
printf '%-24s %9s %9s %9s %11s %11s %11s %12s %12s\n' "configuration" "seconds" "events/s" "ckpts" \
  "e2e p50 ms" "e2e p90 ms" "e2e max ms" "size avg MB" "in-flight MB"
for config in "aligned" "unaligned" "aligned, debloating" "unaligned, debloating"; do
  settings=()
  [[ "$config" == unaligned* ]] && settings+=(--set "$UNALIGNED")
  [[ "$config" == *debloating ]] && settings+=(--set "$DEBLOAT")
  name="${config//[ ,]/}"
  attribution_run "$name" 2 1 2 ${settings[@]+"${settings[@]}"} -- --checkpoint-interval 2s
  stats="$(curl -sf "http://localhost:$REST/jobs/$JOB/checkpoints")"
  unaligned="$(curl -sf "http://localhost:$REST/jobs/$JOB/checkpoints/config" | json 'd["unaligned_checkpoints"]')"
  cluster_stop
  [[ "$unaligned" == True && "$config" == unaligned* || "$unaligned" == False && "$config" == aligned* ]] \
    || { echo "$SCRIPT: the $config run's checkpoints were unaligned=$unaligned: the setting did not reach the job" >&2; exit 1; }
  if [[ -z "$VIEWS" ]]; then VIEWS="$ROWS"; fi
  [[ "$ROWS" == "$VIEWS" ]] || { echo "$SCRIPT: $ROWS rows in the $config run; the first run wrote $VIEWS" >&2; exit 1; }
  python3 -c '
import json, sys
config, ms, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.loads(sys.argv[4]); s = d["summary"]
print("%-24s %9.1f %9.0f %9d %11d %11d %11d %12.1f %12.1f" % (
    config, ms / 1000, events / (ms / 1000), d["counts"]["completed"],
    s["end_to_end_duration"]["p50"], s["end_to_end_duration"]["p90"], s["end_to_end_duration"]["max"],
    s["checkpointed_size"]["avg"] / 1e6, s["persisted_data"]["max"] / 1e6))' "$config" "$MS" "$EVENTS" "$stats"
done
echo "Every run wrote the same $VIEWS attributed_page_views rows. Seconds: the job's duration (Flink's REST), from" \
  "submission to finished. ckpts: completed checkpoints; e2e: trigger to last acknowledgement; size: what a" \
  "checkpoint wrote; in-flight: the most buffered records an unaligned checkpoint persisted."
