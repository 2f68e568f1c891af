#!/usr/bin/env bash
# Measures a job whose state grows to millions of users, on RocksDB with incremental checkpoints, run locally
# (./clickflow JOB, a MiniCluster) over a generated file:
#   bench/large-state.sh attribution [EVENTS [USERS]]   default 26000000 events (95% clicks), 15000000 users,
#                                                       --attribution-window 24h
#   bench/large-state.sh uniques [FRAMES [USERS]]       default 16000000 frames of ~2 KB, 20000000 users,
#                                                       --windows 1d --count exact
# The job checkpoints every 30 s (INTERVAL=10s for another interval). It is stopped with a savepoint (kill -TERM,
# as Ctrl-C) once it has read 73% of the events (attribution) or 85% of the frames (uniques) (STOP_PERCENT=N for
# another share), resumed from that savepoint, killed (kill -9) after the resumed run's first checkpoint, resumed
# from that retained checkpoint and run to its end. Prints events/s, every checkpoint (duration, state size,
# uploaded), the stop and the savepoint's size, each restore's time until every task runs, and the result,
# checked against the input (uniques: the day's count is the file's distinct uids; attribution: one row per page
# view). Needs python3, and disk: ~2 KB per frame (32 GB by default) or ~250 bytes per attribution
# event, plus the state. Runs in a scratch folder under ${TMPDIR:-/tmp}, deleted at the end unless KEEP=1.
set -euo pipefail
SCRIPT=bench/large-state.sh
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOB="${1:-}"
usage() { echo "usage: $SCRIPT attribution|uniques [EVENTS [USERS]]" >&2; exit 2; }
case "$JOB" in
  attribution) EVENTS="${2:-26000000}"; USERS="${3:-15000000}"; STOP_PERCENT="${STOP_PERCENT:-73}" ;;
  uniques) EVENTS="${2:-16000000}"; USERS="${3:-20000000}"; STOP_PERCENT="${STOP_PERCENT:-85}" ;;
  -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) usage ;;
esac
for n in "$EVENTS" "$USERS"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 100000 ]] || { echo "$SCRIPT: EVENTS and USERS must be whole numbers >= 100000, not '$n'" >&2; exit 2; }
done
[[ $# -le 3 ]] || usage
[[ "$STOP_PERCENT" =~ ^[0-9]+$ && "$STOP_PERCENT" -ge 1 && "$STOP_PERCENT" -le 99 ]] \
  || { echo "$SCRIPT: STOP_PERCENT must be 1-99, not '$STOP_PERCENT'" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$SCRIPT: needs python3 (apt-get install python3)" >&2; exit 2; }
STOP_AT=$((EVENTS * STOP_PERCENT / 100))
INTERVAL="${INTERVAL:-30s}"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/clickflow-large-state.XXXXXX")"
RUN="io.clickflow.Clickflow $JOB .*$DIR" # the job's JVM, as pgrep -f sees it (the launcher execs it)
cleanup() {
  pkill -f "$RUN" 2>/dev/null || true
  [[ -n "${POLLER:-}" ]] && kill "$POLLER" 2>/dev/null || true
  if [[ "${KEEP:-}" == 1 ]]; then echo "Kept $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

echo "Generating $EVENTS $JOB input events for $USERS users in $DIR..." >&2
if [[ "$JOB" == attribution ]]; then
  INPUT=(--clicks-file "$DIR/clicks.jsonl" --page-views-file "$DIR/views.jsonl")
  "$ROOT/clickflow" generate "${INPUT[@]}" --count "$EVENTS" --users "$USERS" --click-ratio 0.95 --rate 10000 \
    --max-disorder 0 --seed 7 >"$DIR/generate.log" 2>&1
  OPTIONS=(--attribution-window 24h)
  TABLE=attributed_page_views
else
  INPUT=(--frames-file "$DIR/frames.jsonl")
  "$ROOT/clickflow" generate-frames "${INPUT[@]}" --count "$EVENTS" --users "$USERS" --rate 190 --seed 7 \
    >"$DIR/generate.log" 2>&1
  OPTIONS=(--windows 1d --count exact)
  TABLE=unique_users
fi
du -sh "$DIR" | awk '{print "Input: " $1}' >&2

# Polls the local run's REST API: when every task runs (its state restored), and each checkpoint as it completes.
poll() {
  python3 - "$PORT" "$1" <<'EOF' &
import json, sys, time, urllib.request
port, out = sys.argv[1], open(sys.argv[2], "a")
get = lambda path: json.load(urllib.request.urlopen(f"http://localhost:{port}{path}", timeout=5))
seen, running = set(), False
while True:
    try:
        jobs = get("/jobs/overview")["jobs"]
        if jobs:
            jid = jobs[0]["jid"]
            if not running:
                v = get(f"/jobs/{jid}")["vertices"]
                # Restored: no task still being deployed or restoring its state (a source subtask with nothing
                # to read may already have finished).
                starting = ("CREATED", "SCHEDULED", "DEPLOYING", "INITIALIZING")
                if v and all(sum(x["tasks"].get(s, 0) for s in starting) == 0 for x in v):
                    running = True
                    out.write(f"running {time.time():.1f}\n")
            for c in get(f"/jobs/{jid}/checkpoints")["history"]:
                if c["status"] == "COMPLETED" and c["id"] not in seen and not c.get("is_savepoint"):
                    seen.add(c["id"])
                    out.write("checkpoint %d %.1f %d %d %d\n" % (c["id"], time.time(), c["end_to_end_duration"],
                                                               c["state_size"], c["checkpointed_size"]))
            out.flush()
    except Exception:
        pass
    time.sleep(1)
EOF
  POLLER=$!
}
stop_poll() { kill "$POLLER" 2>/dev/null || true; wait "$POLLER" 2>/dev/null || true; POLLER=""; }
events_in() { sed -n 's/.*events in \([0-9,]*\).*/\1/p' | tr -d , ; }
alive() { pgrep -f "$RUN" >/dev/null; }
# end SIGNAL: sends it to the job's JVM and waits until that is gone.
end() {
  kill "-$1" "$(pgrep -f "$RUN" | head -1)"
  while alive; do sleep 0.5; done
}

# start NAME [OPTIONS...]: the job in the background, its log in $DIR/NAME.log, its REST API polled.
start() {
  local name="$1"
  shift
  date +%s.%N >"$DIR/$name.started"
  poll "$DIR/$name.poll"
  "$ROOT/clickflow" "$JOB" "${INPUT[@]}" "${OPTIONS[@]}" --state-backend rocksdb --checkpoint-interval "$INTERVAL" \
    --checkpoint-dir "$DIR/checkpoints" --jdbc-url "jdbc:sqlite:$DIR/results.db" --web-port "$PORT" \
    --progress-interval 2s "$@" >"$DIR/$name.log" 2>&1 &
  disown # a run killed on purpose is no news
  sleep 2
}
# restored NAME: seconds from the launch until every task ran.
restored() {
  local started running
  started="$(cat "$DIR/$1.started")"
  running="$(awk '$1 == "running" {print $2; exit}' "$DIR/$1.poll")"
  [[ -n "$running" ]] || { echo "?"; return; }
  python3 -c "print('%.1f' % ($running - $started))"
}
checkpoints() {
  sort -k2n "$1" | awk '$1 == "checkpoint" {printf "  checkpoint %4d: %6.1f s, state %8.1f MB, uploaded %7.1f MB\n", $2, $4 / 1000, $5 / 1e6, $6 / 1e6}'
}

echo "First run: until $STOP_AT events are read, then a savepoint..." >&2
start first
while sleep 2; do
  n="$(tail -1 "$DIR/first.log" | events_in)"
  [[ -n "$n" && "$n" -ge "$STOP_AT" ]] && break
  alive || { echo "$SCRIPT: the first run ended early:" >&2; tail -20 "$DIR/first.log" >&2; exit 1; }
done
stop_began="$(date +%s.%N)"
end TERM
stop_ended="$(date +%s.%N)"
stop_poll
grep -q "Stopped with a savepoint" "$DIR/first.log" \
  || { echo "$SCRIPT: no savepoint:" >&2; tail -20 "$DIR/first.log" >&2; exit 1; }
last_line="$(grep 'events in' "$DIR/first.log" | tail -1)"
read_first="$(events_in <<<"$last_line")"
secs_first="$(sed -n 's/^\[ *\([0-9]*\)s\].*/\1/p' <<<"$last_line")"
savepoint="$(ls -d "$DIR"/checkpoints/savepoints/savepoint-* | head -1)"

echo "Resuming from the savepoint; killing the run after its first checkpoint..." >&2
start from-savepoint --resume
while ! grep -q '^checkpoint' "$DIR/from-savepoint.poll" 2>/dev/null; do
  alive || { echo "$SCRIPT: the resumed run ended before its first checkpoint: give it more to read (a lower STOP_PERCENT) or a shorter INTERVAL" >&2; exit 1; }
  sleep 1
done
end KILL
stop_poll

echo "Resuming from the retained checkpoint, to the end..." >&2
start from-checkpoint --resume
while alive; do sleep 2; done
stop_poll
grep -q "Job finished" "$DIR/from-checkpoint.log" \
  || { echo "$SCRIPT: the last run did not finish:" >&2; tail -20 "$DIR/from-checkpoint.log" >&2; exit 1; }

echo
echo "bench/large-state.sh $JOB: $EVENTS events, $USERS users, RocksDB, a checkpoint every $INTERVAL ($(nproc) cores)"
echo "First run: $read_first events in ${secs_first} s ($((read_first / (secs_first > 0 ? secs_first : 1))) events/s); its checkpoints:"
checkpoints "$DIR/first.poll"
python3 -c "print('Stop with a savepoint: %.1f s, savepoint %s' % ($stop_ended - $stop_began, '$(du -sh "$savepoint" | cut -f1)'))"
grep -o 'Resuming from .*' "$DIR/from-savepoint.log" | head -1 | sed 's|^|From the savepoint: |'
echo "  every task running $(restored from-savepoint) s after the launch; its checkpoints:"
checkpoints "$DIR/from-savepoint.poll"
grep -o 'Resuming from .*' "$DIR/from-checkpoint.log" | head -1 | sed 's|^|From the retained checkpoint: |'
echo "  every task running $(restored from-checkpoint) s after the launch"
echo "Result ($TABLE, late_events, rejected_events), as the last run printed it:"
sed -n '/^Job finished/,$p' "$DIR/from-checkpoint.log"
count() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DIR/results.db" "$1"; }
late="$(count 'SELECT COUNT(*) FROM late_events')"
if [[ "$JOB" == uniques ]]; then
  got="$(count 'SELECT unique_users FROM unique_users WHERE is_final = 1')"
  # The generator writes the root uid as 19 hex digits without spaces; its decoys are never such.
  want="$(LC_ALL=C grep -oE '"uid":"[0-9a-f]{19}"' "$DIR/frames.jsonl" | LC_ALL=C sort -u -T "$DIR" | wc -l)"
  what="the day's unique users"
else
  got="$(count 'SELECT COUNT(*) FROM attributed_page_views WHERE is_final = 1')"
  want="$(wc -l <"$DIR/views.jsonl")"
  what="final rows, one per page view"
fi
[[ "$got" == "$want" && "$late" == 0 ]] \
  || { echo "$SCRIPT: $what: $got, the input says $want; late events: $late" >&2; exit 1; }
echo "Checked: $what $got, as in the input; no late event."
