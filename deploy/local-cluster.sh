#!/usr/bin/env bash
# A Flink standalone session cluster on this machine, started from the Flink jars the build already
# resolved (there is no Flink distribution to download here): one JobManager
# (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner), each its own JVM.
#
#   deploy/local-cluster.sh start [--rest-port 8081] [--rpc-port 6123] [--taskmanagers 1] [--slots 4]
#                                 [--prometheus-ports 9249-9259] [--bind 127.0.0.1] [--dir output/cluster]
#                                 [--set KEY=VALUE]...   (any other Flink setting for config.yaml; repeatable)
#   deploy/local-cluster.sh stop   [--dir output/cluster]
#   deploy/local-cluster.sh status [--dir output/cluster]
#   deploy/local-cluster.sh flink  [--dir output/cluster] <flink CLI arguments>
#       Flink's own command line (what a distribution's bin/flink runs) against this cluster, e.g.
#       deploy/local-cluster.sh flink run --detached -c io.clickflow.Clickflow job/target/clickflow-job-*.jar attribution ...
#
# Then: ./clickflow submit attribution ... --jobmanager localhost:8081
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLINK_CP="$ROOT/flink-runtime/target/classpath.txt"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() { echo "local-cluster: $*" >&2; exit 1; }
usage() { sed -n '/^#   deploy/,/^# Then/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }

[[ $# -ge 1 ]] || die "usage: deploy/local-cluster.sh start|stop|status|flink [options] (see the top of this script)"
[[ "$1" == --help || "$1" == -h || "$1" == help ]] && usage
COMMAND="$1"; shift
case "$COMMAND" in
  start|stop|status|flink) ;;
  *) die "unknown command '$COMMAND' (commands: start, stop, status, flink)" ;;
esac
DIR="$ROOT/output/cluster"
FLINK_ARGS=()
if [[ "$COMMAND" == flink ]]; then
  if [[ "${1:-}" == --dir ]]; then
    [[ $# -ge 2 ]] || die "option --dir needs a value"
    DIR="$2"; shift 2
  fi
  FLINK_ARGS=("$@"); set --
fi
REST_PORT=8081
RPC_PORT=6123
TASKMANAGERS=1
SLOTS=4
PROMETHEUS_PORTS=9249-9259
BIND=127.0.0.1
SETTINGS=()
while [[ $# -gt 0 ]]; do
  [[ "$1" == --help || "$1" == -h ]] && usage
  [[ $# -ge 2 ]] || die "option $1 needs a value"
  case "$1" in
    --dir) DIR="$2" ;;
    --rest-port) REST_PORT="$2" ;;
    --rpc-port) RPC_PORT="$2" ;;
    --taskmanagers) TASKMANAGERS="$2" ;;
    --slots) SLOTS="$2" ;;
    --prometheus-ports) PROMETHEUS_PORTS="$2" ;;
    --bind) BIND="$2" ;;
    --set)
      [[ "$2" =~ ^[A-Za-z0-9._-]+=.+$ ]] || die "--set takes KEY=VALUE (a Flink setting, e.g. execution.checkpointing.unaligned.enabled=true), not '$2'"
      SETTINGS+=("$2") ;;
    *) die "unknown option $1 (options: --dir --rest-port --rpc-port --taskmanagers --slots --prometheus-ports --bind --set)" ;;
  esac
  shift 2
done
for n in "$REST_PORT" "$RPC_PORT" "$TASKMANAGERS" "$SLOTS"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || die "'$n' is not a positive number"
done
[[ "$PROMETHEUS_PORTS" =~ ^[0-9]+(-[0-9]+)?$ ]] || die "--prometheus-ports must be PORT or FROM-TO, not '$PROMETHEUS_PORTS'"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
CONF="$DIR/conf"
LOGS="$DIR/logs"

# The module flags Flink's distribution gives every JobManager and TaskManager on Java 17
# (env.java.default-opts.all in its config.yaml): Flink and Kryo reflect into JDK classes.
JAVA_MODULE_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The JVM flags (line 1) and -D dynamic properties (line 2) Flink's own scripts derive from the memory config.
resource_params() {
  "$JAVA" -cp "$(cat "$FLINK_CP")" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>"$LOGS/bash-java-utils.err" \
    | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

start() {
  if alive "$DIR/jobmanager.pid"; then
    die "a cluster is already running from $DIR (pid $(cat "$DIR/jobmanager.pid")); stop it first"
  fi
  port_in_use "$REST_PORT" && die "port $REST_PORT is in use; choose another with --rest-port"
  port_in_use "$RPC_PORT" && die "port $RPC_PORT is in use; choose another with --rpc-port"
  if [[ ! -f "$FLINK_CP" ]]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to build clickflow first"
    echo "Building clickflow (mvn package -DskipTests)..." >&2
    (cd "$ROOT" && mvn -q -B -DskipTests package) >&2 || die "the build failed"
  fi
  mkdir -p "$CONF" "$LOGS" "$DIR/tmp" "$DIR/uploads"
  cp "$ROOT/deploy/cluster/log4j.properties" "$CONF/log4j.properties"
  cat > "$CONF/config.yaml" <<EOF
# Written by deploy/local-cluster.sh; edit the script's options rather than this file.
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: $BIND
jobmanager.memory.process.size: 1024m
taskmanager.bind-host: $BIND
taskmanager.host: localhost
taskmanager.numberOfTaskSlots: $SLOTS
taskmanager.memory.process.size: 1536m
rest.address: localhost
rest.port: $REST_PORT
rest.bind-address: $BIND
web.upload.dir: $DIR/uploads
io.tmp.dirs: $DIR/tmp
parallelism.default: 1
# Jobs set their own checkpoint interval and dirs (--checkpoint-dir); this is the fallback. No cluster-wide
# savepoint dir: Flink's REST API prefers it over the job's own, and a clickflow job keeps its savepoints
# under its checkpoint dir, where --resume looks (flink stop <id> without -p puts them there).
execution.checkpointing.dir: file://$DIR/checkpoints
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $PROMETHEUS_PORTS
EOF
  # A --set key replaces the line above that has it: Flink reads each key once.
  local setting key
  for setting in ${SETTINGS[@]+"${SETTINGS[@]}"}; do
    key="${setting%%=*}"
    grep -v "^${key//./\\.}:" "$CONF/config.yaml" > "$CONF/config.yaml.new" || true
    echo "$key: ${setting#*=}" >> "$CONF/config.yaml.new"
    mv "$CONF/config.yaml.new" "$CONF/config.yaml"
  done
  local cp logging
  cp="$(cat "$FLINK_CP")"
  logging=("${JAVA_MODULE_OPTS[@]}" -Dlog4j.configurationFile="file:$CONF/log4j.properties")

  local params jvm dynamic
  params="$(resource_params GET_JM_RESOURCE_PARAMS)" || true
  [[ -n "$params" ]] || die "could not derive JobManager memory settings (see $LOGS/bash-java-utils.err)"
  jvm="$(sed -n 1p <<<"$params")"; dynamic="$(sed -n 2p <<<"$params")"
  # shellcheck disable=SC2086 # the flag lines are meant to split into arguments
  nohup "$JAVA" $jvm "${logging[@]}" -Dlog.file="$LOGS/jobmanager.log" -cp "$cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$CONF" --executionMode cluster $dynamic \
    > "$LOGS/jobmanager.out" 2>&1 < /dev/null &
  echo $! > "$DIR/jobmanager.pid"

  params="$(resource_params GET_TM_RESOURCE_PARAMS)" || true
  [[ -n "$params" ]] || die "could not derive TaskManager memory settings (see $LOGS/bash-java-utils.err)"
  jvm="$(sed -n 1p <<<"$params")"; dynamic="$(sed -n 2p <<<"$params")"
  for i in $(seq 1 "$TASKMANAGERS"); do
    # shellcheck disable=SC2086
    nohup "$JAVA" $jvm "${logging[@]}" -Dlog.file="$LOGS/taskmanager-$i.log" -cp "$cp" \
      org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$CONF" $dynamic \
      > "$LOGS/taskmanager-$i.out" 2>&1 < /dev/null &
    echo $! > "$DIR/taskmanager-$i.pid"
  done

  local deadline=$((SECONDS + 90)) registered=0
  while (( SECONDS < deadline )); do
    alive "$DIR/jobmanager.pid" || die "the JobManager exited; see $LOGS/jobmanager.log and jobmanager.out"
    registered="$(curl -sf "http://localhost:$REST_PORT/overview" 2>/dev/null | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p')" || true
    [[ "${registered:-0}" -ge "$TASKMANAGERS" ]] && break
    sleep 0.5
  done
  [[ "${registered:-0}" -ge "$TASKMANAGERS" ]] \
    || die "only ${registered:-0} of $TASKMANAGERS TaskManagers registered within 90 s; see $LOGS"
  echo "Flink cluster up: Web UI and REST http://localhost:$REST_PORT, $TASKMANAGERS TaskManager(s) x $SLOTS slots,"
  echo "  Prometheus metrics on ports $PROMETHEUS_PORTS, logs in $LOGS."
  echo "  Submit: ./clickflow submit attribution ... --jobmanager localhost:$REST_PORT   Stop: deploy/local-cluster.sh stop${DIR:+ --dir $DIR}"
}

stop() {
  local found=0 pidfile pid
  for pidfile in "$DIR"/taskmanager-*.pid "$DIR"/jobmanager.pid; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      found=1
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  if [[ $found == 1 ]]; then echo "Flink cluster in $DIR stopped."; else echo "No cluster running from $DIR."; fi
}

status() {
  if alive "$DIR/jobmanager.pid"; then
    local port
    port="$(sed -n 's/^rest.port: //p' "$CONF/config.yaml")"
    echo "JobManager running (pid $(cat "$DIR/jobmanager.pid")), REST http://localhost:$port"
    curl -sf "http://localhost:$port/overview" && echo || echo "(REST not answering)"
  else
    echo "No cluster running from $DIR."
    return 3
  fi
}

# Flink's CliFrontend with this cluster's config (its REST address) and the JVM flags bin/flink would use.
flink_cli() {
  [[ -f "$CONF/config.yaml" ]] || die "no cluster config in $DIR; start a cluster first (or give --dir)"
  [[ -f "$FLINK_CP" ]] || die "no Flink classpath at $FLINK_CP; run mvn package first"
  FLINK_CONF_DIR="$CONF" exec "$JAVA" "${JAVA_MODULE_OPTS[@]}" -Dlog4j.configurationFile="file:$ROOT/deploy/cluster/log4j-cli.properties" \
    -cp "$(cat "$FLINK_CP")" org.apache.flink.client.cli.CliFrontend "${FLINK_ARGS[@]}"
}

case "$COMMAND" in
  start) start ;;
  flink) flink_cli ;;
  stop) stop ;;
  status) status ;;
  *) die "unknown command '$COMMAND' (start|stop|status|flink)" ;;
esac
