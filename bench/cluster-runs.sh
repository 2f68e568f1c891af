#!/usr/bin/env bash
# Shared by bench/scaling.sh and bench/checkpoints.sh (sourced, not run): a broker with pre-filled attribution
# topics, and runs of the attribution job on a fresh standalone cluster (deploy/local-cluster.sh) each.
# The caller sets ROOT, SCRIPT (its name, for messages) and EVENTS; both check them and the tools here, before
# anything starts.

[[ "$EVENTS" =~ ^[0-9]+$ && "$EVENTS" -ge 10000 ]] || { echo "$SCRIPT: EVENTS must be a whole number >= 10000, not '$EVENTS'" >&2; exit 2; }
for tool in sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "$SCRIPT: needs $tool (apt-get install $tool)" >&2; exit 2; }
done
DIR="$(mktemp -d "${TMPDIR:-/tmp}/clickflow-bench.XXXXXX")"
CLUSTER="$DIR/cluster"
cleanup() {
  "$ROOT/deploy/local-cluster.sh" stop --dir "$CLUSTER" >/dev/null 2>&1 || true
  "$ROOT/deploy/local-kafka.sh" stop --dir "$DIR/kafka" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { # CPU ticks (user + system) of the processes whose pid files are given
  local total=0 f t
  for f in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$(cat "$f")/stat")
    total=$((total + t))
  done
  echo "$total"
}
json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }

# prefill EVENTS: a broker on a free port (KPORT) with ad_clicks and page_views of 4 partitions, filled.
prefill() {
  KPORT="$(free_port)"
  "$ROOT/deploy/local-kafka.sh" start --port "$KPORT" --dir "$DIR/kafka" --topic ad_clicks:4 --topic page_views:4 >/dev/null
  echo "Pre-filling $1 events into ad_clicks and page_views (4 partitions each)..." >&2
  "$ROOT/clickflow" generate --bootstrap-servers "127.0.0.1:$KPORT" --count "$1" --as-fast-as-possible \
    --users 100000 --rate 10000 --max-disorder 0 --seed 7 >"$DIR/generate.log" 2>&1
}

# attribution_run NAME TASKMANAGERS SLOTS PARALLELISM [CLUSTER OPTIONS...] [-- JOB OPTIONS...]: starts a cluster,
# runs the job over the whole topics into a SQLite file of its own, waits until it ends and leaves the cluster
# up (the caller reads its REST API, then calls cluster_stop). Sets REST, JOB, MS (the job's duration), TICKS
# (the TaskManagers' CPU ticks during it) and ROWS (attributed rows written).
attribution_run() {
  local name="$1" tms="$2" slots="$3" p="$4" cluster=() job=() state="" before after
  shift 4
  while [[ $# -gt 0 && "$1" != -- ]]; do cluster+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  job=("$@")
  REST="$(free_port)"
  local rpc prom
  rpc="$(free_port)"
  prom="$(free_port)"
  "$ROOT/deploy/local-cluster.sh" start --dir "$CLUSTER" --taskmanagers "$tms" --slots "$slots" --rest-port "$REST" \
    --rpc-port "$rpc" --prometheus-ports "$prom-$((prom + 4))" ${cluster[@]+"${cluster[@]}"} >/dev/null
  local db="$DIR/$name.db"
  before=$(ticks "$CLUSTER"/taskmanager-*.pid)
  "$ROOT/clickflow" submit attribution --jobmanager "localhost:$REST" --bootstrap-servers "127.0.0.1:$KPORT" \
    --bounded --starting-offsets earliest --group-id "bench-$name" --parallelism "$p" \
    --jdbc-url "jdbc:sqlite:$db" ${job[@]+"${job[@]}"} >"$DIR/submit-$name.log" 2>&1
  for _ in $(seq 1 2400); do
    state=$(curl -sf "http://localhost:$REST/jobs/overview" | json 'd["jobs"][0]["state"] if d["jobs"] else ""' || true)
    [[ "$state" == FINISHED || "$state" == FAILED || "$state" == CANCELED ]] && break
    sleep 0.5
  done
  [[ "$state" == FINISHED ]] || { echo "$SCRIPT: the $name run ended ${state:-unfinished} (logs: $CLUSTER/logs)" >&2; exit 1; }
  JOB=$(curl -sf "http://localhost:$REST/jobs/overview" | json 'd["jobs"][0]["jid"]')
  MS=$(curl -sf "http://localhost:$REST/jobs/overview" | json 'd["jobs"][0]["duration"]')
  after=$(ticks "$CLUSTER"/taskmanager-*.pid)
  TICKS=$((after - before))
  ROWS=$(sqlite3 "$db" "SELECT COUNT(*) FROM attributed_page_views")
}

cluster_stop() { "$ROOT/deploy/local-cluster.sh" stop --dir "$CLUSTER" >/dev/null; }
