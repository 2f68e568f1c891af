#!/usr/bin/env bash
# Measures what a big attributed_page_views table costs in SQLite: bytes per row, the results page's queries
# with and without the event_time index clickflow creates, and --retention's batched delete.
#   bench/tables.sh [ROWS]   (default 10000000; rows are 1 ms apart: 1,000 page views per second of event time)
# Needs the sqlite3 command (Debian: sqlite3). Writes a scratch database under ${TMPDIR:-/tmp} and deletes it.
set -euo pipefail
ROWS="${1:-10000000}"
[[ "$ROWS" =~ ^[0-9]+$ && "$ROWS" -ge 100000 ]] || { echo "bench/tables.sh: ROWS must be a whole number >= 100000, not '$ROWS'" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench/tables.sh: needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
DIR="$(mktemp -d "${TMPDIR:-/tmp}/clickflow-tables.XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/tables.db"
START=1709251200 # 2024-03-01T00:00:00Z

iso() { sqlite3 :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%f', $START + $1 / 1000.0, 'unixepoch') || 'Z'"; }
timed() { # label, sql: the best of three runs, in ms
  local best=""
  for _ in 1 2 3; do
    local t
    t=$(printf '.timer on\n%s;\n' "$2" | sqlite3 "$DB" | grep -o 'real [0-9.]*' | tail -1 | cut -d' ' -f2)
    t=$(awk -v s="$t" 'BEGIN { printf "%.1f", s * 1000 }')
    if [[ -z "$best" ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$t"; fi
  done
  printf '  %-58s %10s ms\n' "$1" "$best"
}

LAST=$((ROWS - 1))
TO="$(iso "$LAST")"
FROM15="$(iso $((LAST - 15 * 60 * 1000 + 1)))"
FROM60="$(iso $((LAST - 60 * 60 * 1000 + 1)))"
T=attributed_page_views
queries() {
  timed "span: MIN(event_time), MAX(event_time) in one select" "SELECT MIN(event_time), MAX(event_time) FROM $T"
  timed "span: MIN and MAX as two subqueries (what serve runs)" "SELECT (SELECT MIN(event_time) FROM $T), (SELECT MAX(event_time) FROM $T)"
  timed "per campaign, last 15 min" "SELECT attributed_campaign_id, is_final, COUNT(*) FROM $T WHERE event_time >= '$FROM15' AND event_time <= '$TO' GROUP BY 1, 2"
  timed "per minute, last 15 min" "SELECT SUBSTR(event_time, 1, 16), attributed_campaign_id IS NULL, COUNT(*) FROM $T WHERE event_time >= '$FROM15' AND event_time <= '$TO' GROUP BY 1, 2 ORDER BY 1"
  timed "newest 20, last 15 min" "SELECT page_view_id FROM $T WHERE event_time >= '$FROM15' AND event_time <= '$TO' ORDER BY event_time DESC, page_view_id DESC LIMIT 20"
  timed "per campaign, last hour" "SELECT attributed_campaign_id, is_final, COUNT(*) FROM $T WHERE event_time >= '$FROM60' AND event_time <= '$TO' GROUP BY 1, 2"
}

echo "bench/tables.sh: $ROWS rows of $T in SQLite $(sqlite3 --version | cut -d' ' -f1), 1,000 rows per second of event time ($(iso 0) .. $TO)"
fill_start=$(date +%s%N)
sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
CREATE TABLE $T (page_view_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, event_time TEXT NOT NULL,
  attributed_campaign_id TEXT, attributed_click_id TEXT, attributed_click_time TEXT, is_final INTEGER NOT NULL, url TEXT);
BEGIN;
INSERT INTO $T SELECT printf('pv-%012d', value), printf('user-%07d', abs(random()) % 1000000),
  strftime('%Y-%m-%dT%H:%M:%f', $START + value / 1000.0, 'unixepoch') || 'Z',
  CASE WHEN value % 3 = 0 THEN NULL ELSE printf('campaign-%02d', value % 40) END,
  CASE WHEN value % 3 = 0 THEN NULL ELSE printf('click-%012d', value) END,
  CASE WHEN value % 3 = 0 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%f', $START + value / 1000.0 - 60, 'unixepoch') || 'Z' END,
  1, printf('https://shop.example/p/%d', value % 5000)
FROM generate_series(0, $LAST);
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
fill_end=$(date +%s%N)
size=$(stat -c %s "$DB")
awk -v r="$ROWS" -v s="$size" -v t="$(( (fill_end - fill_start) / 1000000 ))e-3" 'BEGIN {
  printf "filled in %.1f s (%.0f rows/s in one transaction); %.0f MB, %.0f bytes per row (table + primary key)\n", t, r / t, s / 1e6, s / r }'
echo "without the event_time index:"
queries
idx_start=$(date +%s%N)
sqlite3 "$DB" "CREATE INDEX ${T}_event_time ON $T (event_time); PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
idx_end=$(date +%s%N)
size2=$(stat -c %s "$DB")
awk -v r="$ROWS" -v s="$size2" -v s1="$size" -v t="$(( (idx_end - idx_start) / 1000000 ))e-3" 'BEGIN {
  printf "with the index (built in %.1f s, %.0f bytes per row more: %.0f bytes per row in all):\n", t, (s - s1) / r, s / r }'
queries
CUT="$(iso $((ROWS / 10)))"
timed "--retention: delete one batch of 1,000 old rows" "DELETE FROM $T WHERE rowid IN (SELECT rowid FROM $T WHERE event_time < '$CUT' LIMIT 1000)"
awk -v s="$size2" -v r="$ROWS" 'BEGIN { printf "a year at 1,000 page views/s: %.1f billion rows, %.1f TB in this layout\n", 31536000 * 1000 / 1e9, 31536000 * 1000 * s / r / 1e12 }'
