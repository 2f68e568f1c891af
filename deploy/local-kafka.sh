#!/usr/bin/env bash
# A Kafka broker on this machine and Kafka's own command-line tools, from the Kafka jars the build
# already resolved (module kafka-runtime; there is no Kafka distribution to download here). The broker
# is the one the demo, the bench and the tests run (io.clickflow.broker.KafkaBroker: KRaft, broker and
# controller in one JVM), started here as its own process that runs on after this script.
#
#   deploy/local-kafka.sh start  [--port 9092] [--dir output/kafka] [--topic NAME[:PARTITIONS]]...
#   deploy/local-kafka.sh stop   [--dir output/kafka]
#   deploy/local-kafka.sh status [--dir output/kafka]
#   deploy/local-kafka.sh kafka-topics|kafka-console-producer|kafka-console-consumer|kafka-consumer-groups ARGS...
#
# Run deploy/local-kafka.sh --help for what each does.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_CP="$ROOT/kafka-runtime/target/classpath.txt"
# The broker code is clickflow's (KafkaBroker and LocalKafka, in kafka-runtime with the Kafka jars it runs;
# classpath.txt also lists the shared core they use, e.g. its one-line refusals).
RUNTIME_CLASSES="$ROOT/kafka-runtime/target/classes"
TOOLS_LOG4J="$ROOT/kafka-runtime/src/main/resources/log4j2-tools.properties"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

usage() {
  cat <<'EOF'
Usage: deploy/local-kafka.sh COMMAND [options]

  start  [--port 9092] [--dir output/kafka] [--topic NAME[:PARTITIONS]]...
      Starts one Kafka broker (KRaft, broker and controller in one JVM) that keeps running after this
      script, waits until it serves, creates the topics (4 partitions unless given; an existing topic
      is left as it is) and prints its bootstrap address. Data, server.properties and broker.log stay
      in the dir, so a later start from the same dir finds its topics and offsets again. Refuses a busy
      port and a second broker in the same dir.
  stop   [--dir output/kafka]
      Stops the broker started from the dir (SIGTERM; killed if still there after 15 s).
  status [--dir output/kafka]
      Says whether a broker runs from the dir. Exit code 0: running, 3: stopped.

  kafka-topics ARGS...             org.apache.kafka.tools.TopicCommand
  kafka-console-producer ARGS...   org.apache.kafka.tools.ConsoleProducer
  kafka-console-consumer ARGS...   org.apache.kafka.tools.consumer.ConsoleConsumer
  kafka-consumer-groups ARGS...    org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
      Kafka's own tool of that name, from the build's Kafka jars, run as Kafka's bin/ scripts run it:
      the same arguments (--bootstrap-server is not implied), KAFKA_HEAP_OPTS, KAFKA_OPTS and
      KAFKA_LOG4J_OPTS; warnings go to stderr. ARGS --help prints the tool's own options.

Examples:
  deploy/local-kafka.sh start --topic ad_clicks --topic page_views:8
  deploy/local-kafka.sh kafka-topics --bootstrap-server 127.0.0.1:9092 --describe --topic ad_clicks
  printf 'u1:hello\n' | deploy/local-kafka.sh kafka-console-producer --bootstrap-server 127.0.0.1:9092 \
      --topic ad_clicks --reader-property parse.key=true --reader-property key.separator=:
  deploy/local-kafka.sh kafka-console-consumer --bootstrap-server 127.0.0.1:9092 --topic ad_clicks \
      --from-beginning --formatter-property print.key=true --isolation-level read_committed
  deploy/local-kafka.sh stop
EOF
}

die() { echo "local-kafka: $*" >&2; exit 1; }
# A mistake on the command line: one line and exit code 2, before anything is started or built.
usage_error() { echo "local-kafka: $* (see deploy/local-kafka.sh --help)" >&2; exit 2; }

# Builds what a command needs when it is missing (a fresh clone), as deploy/local-cluster.sh does.
need_build() {
  local file
  for file in "$@"; do
    [[ -f "$file" ]] && continue
    command -v mvn >/dev/null || die "Maven (mvn) is needed to build clickflow first"
    echo "Building the Kafka jars (mvn package -DskipTests -pl kafka-runtime -am)..." >&2
    (cd "$ROOT" && mvn -q -B -DskipTests package -pl kafka-runtime -am) 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 \
      || die "the build failed"
    return
  done
}

# Kafka's tool CLASS with the JVM flags its bin/ scripts give it (kafka-run-class.sh; HEAP is the
# script's own default, 512M for the console producer and consumer); the *_OPTS variables override
# them as they do there. JMX is left out: without JMX_PORT, Kafka's flags for it open nothing.
tool() {
  local class="$1" heap="$2"; shift 2
  need_build "$KAFKA_CP"
  local heap_opts perf_opts log4j_opts kafka_opts
  read -ra heap_opts <<<"${KAFKA_HEAP_OPTS:-$heap}"
  read -ra perf_opts <<<"${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
  if [[ -n "${KAFKA_LOG4J_OPTS:-}" ]]; then read -ra log4j_opts <<<"$KAFKA_LOG4J_OPTS"
  else log4j_opts=("-Dlog4j2.configurationFile=$TOOLS_LOG4J"); fi
  read -ra kafka_opts <<<"${KAFKA_OPTS:-}"
  # kafka-runtime's own classes first: its console-consumer formatter (RegistryAvroFormatter) for --formatter.
  exec "$JAVA" "${heap_opts[@]}" "${perf_opts[@]}" "${log4j_opts[@]}" -cp "$RUNTIME_CLASSES:$(cat "$KAFKA_CP")" \
    ${kafka_opts[@]+"${kafka_opts[@]}"} "$class" "$@"
}

# io.clickflow.broker.LocalKafka: start, stop and status of the broker, with the arguments checked here.
local_kafka() {
  need_build "$KAFKA_CP" "$RUNTIME_CLASSES/io/clickflow/broker/LocalKafka.class"
  exec "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$TOOLS_LOG4J" -Dclickflow.kafka.classpath="$KAFKA_CP" \
    -cp "$RUNTIME_CLASSES:$(cat "$KAFKA_CP")" io.clickflow.broker.LocalKafka "$@"
}

COMMANDS="start|stop|status|kafka-topics|kafka-console-producer|kafka-console-consumer|kafka-consumer-groups"
[[ $# -ge 1 ]] || usage_error "no command given ($COMMANDS)"
COMMAND="$1"; shift
case "$COMMAND" in
  -h|--help|help) usage; exit 0 ;;
  kafka-topics) tool org.apache.kafka.tools.TopicCommand -Xmx256M "$@" ;;
  kafka-console-producer) tool org.apache.kafka.tools.ConsoleProducer -Xmx512M "$@" ;;
  kafka-console-consumer) tool org.apache.kafka.tools.consumer.ConsoleConsumer -Xmx512M "$@" ;;
  kafka-consumer-groups) tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand -Xmx256M "$@" ;;
  start|stop|status) ;;
  *) usage_error "unknown command '$COMMAND' ($COMMANDS)" ;;
esac

DIR="$ROOT/output/kafka"
PORT=9092
TOPICS=()
if [[ "$COMMAND" == start ]]; then OPTIONS="--port --dir --topic"; else OPTIONS="--dir"; fi
while [[ $# -gt 0 ]]; do
  # --help first, and an unknown option before a missing value: "--help needs a value" helps nobody.
  case "$1" in -h|--help) usage; exit 0 ;; esac
  [[ " $OPTIONS " == *" $1 "* ]] || usage_error "unknown option '$1' for $COMMAND (options: $OPTIONS)"
  [[ $# -ge 2 ]] || usage_error "option $1 needs a value"
  case "$1" in
    --dir) DIR="$2" ;;
    --port) PORT="$2" ;;
    --topic) TOPICS+=("$2") ;;
  esac
  shift 2
done
if ! [[ "$PORT" =~ ^[0-9]{1,5}$ ]] || (( 10#$PORT < 1 || 10#$PORT > 65535 )); then
  usage_error "--port must be a port number (1-65535), not '$PORT'"
fi
[[ -n "$DIR" ]] || usage_error "--dir must not be empty"
TOPIC_ARGS=()
for topic in ${TOPICS[@]+"${TOPICS[@]}"}; do
  # Kafka's legal topic characters; ':' cannot be part of a name, so it can only separate the count.
  [[ "$topic" =~ ^[A-Za-z0-9._-]{1,249}(:[0-9]{1,6})?$ ]] \
    || usage_error "--topic must be NAME[:PARTITIONS], NAME of letters, digits, '.', '_' and '-', not '$topic'"
  [[ "$topic" == *:* ]] || topic="$topic:4"
  (( 10#${topic##*:} >= 1 )) || usage_error "--topic $topic: PARTITIONS must be at least 1"
  TOPIC_ARGS+=("${topic%:*}:$((10#${topic##*:}))")
done

case "$COMMAND" in
  start) local_kafka start "$DIR" "$((10#$PORT))" ${TOPIC_ARGS[@]+"${TOPIC_ARGS[@]}"} ;;
  stop) local_kafka stop "$DIR" ;;
  status) local_kafka status "$DIR" ;;
esac
