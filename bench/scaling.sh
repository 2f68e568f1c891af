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
EVENTS="${1:-2000000}"
[[ "$EVENTS" =~ ^[0-9]+$ && "$EVENTS" -ge 10000 ]] || { echo "bench/scaling.sh: EVENTS must be a whole number >= 10000, not '$EVENTS'" >&2; exit 2; }
for tool in sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/scaling.sh: needs $tool (apt-get install $tool)" >&2; exit 2; }
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/clickflow-scaling.XXXXXX")"
CLUSTER="$DIR/cluster"
cleanup() {
  "$ROOT/deploy/local-cluster.sh" stop --dir "$CLUSTER" >/dev/null 2>&1 || true
  "$ROOT/deploy/local-kafka.sh" stop --dir "$DIR/kafka" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { # CPU seconds (user + system) of the processes whose pid files are given
  local total=0 f
  for f in "$@"; do
    local t
    t=$(awk '{print $14 + $15}' "/proc/$(cat "$f")/stat")
    total=$((total + t))
  done
  echo "$total"
}
json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }

KPORT="$(free_port)"
"$ROOT/deploy/local-kafka.sh" start --port "$KPORT" --dir "$DIR/kafka" --topic ad_clicks:4 --topic page_views:4 >/dev/null
echo "Pre-filling $EVENTS events into ad_clicks and page_views (4 partitions each)..." >&2
"$ROOT/clickflow" generate --bootstrap-servers "127.0.0.1:$KPORT" --count "$EVENTS" --as-fast-as-possible \
  --users 100000 --rate 10000 --max-disorder 0 --seed 7 >"$DIR/generate.log" 2>&1
VIEWS=""
printf '%-28s %11s %10s %10s %12s %10s\n' "cluster" "parallelism" "seconds" "events/s" "TM CPU s" "us/event"
for run in "1 4 1" "1 4 2" "1 4 4" "2 1 2" "2 2 4"; do
  read -r TMS SLOTS P <<<"$run"
  REST="$(free_port)"
  RPC="$(free_port)"
  PROM="$(free_port)"
  "$ROOT/deploy/local-cluster.sh" start --dir "$CLUSTER" --taskmanagers "$TMS" --slots "$SLOTS" --rest-port "$REST" \
    --rpc-port "$RPC" --prometheus-ports "$PROM-$((PROM + 4))" >/dev/null
  DB="$DIR/run-$TMS-$P.db"
  before=$(ticks "$CLUSTER"/taskmanager-*.pid)
  "$ROOT/clickflow" submit attribution --jobmanager "localhost:$REST" --bootstrap-servers "127.0.0.1:$KPORT" \
    --bounded --starting-offsets earliest --group-id "scaling-$TMS-$P" --parallelism "$P" \
    --jdbc-url "jdbc:sqlite:$DB" >"$DIR/submit-$TMS-$P.log" 2>&1
  state=""
  for _ in $(seq 1 1200); do
    state=$(curl -sf "http://localhost:$REST/jobs/overview" | json 'd["jobs"][0]["state"] if d["jobs"] else ""' || true)
    [[ "$state" == FINISHED || "$state" == FAILED || "$state" == CANCELED ]] && break
    sleep 0.5
  done
  [[ "$state" == FINISHED ]] || { echo "bench/scaling.sh: the job ended $state (logs: $CLUSTER/log)" >&2; exit 1; }
  ms=$(curl -sf "http://localhost:$REST/jobs/overview" | json 'd["jobs"][0]["duration"]')
  after=$(ticks "$CLUSTER"/taskmanager-*.pid)
  rows=$(sqlite3 "$DB" "SELECT COUNT(*) FROM attributed_page_views")
  if [[ -z "$VIEWS" ]]; then VIEWS="$rows"; fi
  [[ "$rows" == "$VIEWS" ]] || { echo "bench/scaling.sh: $rows rows at $TMS TaskManager(s), parallelism $P; the first run wrote $VIEWS" >&2; exit 1; }
  awk -v tms="$TMS" -v slots="$SLOTS" -v p="$P" -v ms="$ms" -v cpu=$((after - before)) -v n="$EVENTS" 'BEGIN {
    printf "%-28s %11d %10.1f %10.0f %12.1f %10.1f\n", tms " TaskManager(s) x " slots " slots", p, ms / 1000, n / (ms / 1000), cpu / 100, cpu / 100 * 1e6 / n }'
  "$ROOT/deploy/local-cluster.sh" stop --dir "$CLUSTER" >/dev/null
done
echo "Every run wrote the same $VIEWS attributed_page_views rows. Seconds: the job's duration on the cluster (Flink's" \
  "REST), from submission to finished; TM CPU: user + system time of the TaskManager JVMs during it (the JobManager," \
  "the broker and SQLite's file are outside it)."
