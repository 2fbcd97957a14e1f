#!/usr/bin/env bash
# Starts a local Agentwatch cluster on this machine (docs/distributed.md): PostgreSQL (from the
# embedded-postgres jar), Redis (redis-server), a Kafka broker in KRaft mode (from the Maven jars),
# and three Agentwatch nodes on ports 8081-8083. Everything lives under $CLUSTER_DIR (./cluster):
# data, logs (logs/*.log), pids (pids/*.pid) and the admin key (admin-key). scripts/cluster-stop.sh
# stops it all; starting again keeps the data.
#
#   scripts/cluster-start.sh                   # Kafka + PostgreSQL + Redis
#   CLUSTER_LOG=embedded scripts/cluster-start.sh   # PostgreSQL's log, nodes woken by the Redis backplane
#   CLUSTER_LOG=embedded AGENTWATCH_BACKPLANE=notify scripts/cluster-start.sh   # ... by LISTEN/NOTIFY
#   CLUSTER_NODES=1 scripts/cluster-start.sh   # one node (ports from CLUSTER_FIRST_PORT, 8081)
#   NODE_JAVA_OPTS='-Xmx1g' scripts/cluster-start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/java-home.sh

DIR=$(mkdir -p "${CLUSTER_DIR:-cluster}" && cd "${CLUSTER_DIR:-cluster}" && pwd)
LOG_KIND=${CLUSTER_LOG:-kafka}
NODES=${CLUSTER_NODES:-3}
FIRST_PORT=${CLUSTER_FIRST_PORT:-8081}
PG_PORT=${CLUSTER_POSTGRES_PORT:-15432}
REDIS_PORT=${CLUSTER_REDIS_PORT:-16379}
KAFKA_PORT=${CLUSTER_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${CLUSTER_KAFKA_CONTROLLER_PORT:-19093}
SERVER_JAR=agentwatch-server/target/agentwatch.jar
BENCH_CP="$ROOT/agentwatch-bench/target/agentwatch-bench.jar:$ROOT/agentwatch-bench/target/lib/*"

case "$LOG_KIND" in kafka|embedded) ;; *) echo "CLUSTER_LOG must be kafka or embedded but was '$LOG_KIND'" >&2; exit 2 ;; esac
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)" >&2; exit 1; }

if [ ! -f "$SERVER_JAR" ]; then
  echo "[cluster] building the server jar" >&2
  mvn -B -q -DskipTests package -pl agentwatch-server -am
fi
if [ ! -f agentwatch-bench/target/agentwatch-bench.jar ] || [ ! -d agentwatch-bench/target/lib ]; then
  echo "[cluster] building agentwatch-bench (PostgreSQL and Kafka run from its classpath)" >&2
  mvn -B -q -DskipTests package -pl agentwatch-bench -am
fi

mkdir -p "$DIR/logs" "$DIR/pids"

running() { [ -f "$DIR/pids/$1.pid" ] && kill -0 "$(cat "$DIR/pids/$1.pid")" 2>/dev/null; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
await_port() { # name port seconds
  for _ in $(seq 1 $(($3 * 5))); do
    if listening "$2"; then return 0; fi
    if ! running "$1"; then break; fi
    sleep 0.2
  done
  echo "[cluster] $1 did not come up on port $2; its log:" >&2
  tail -30 "$DIR/logs/$1.log" >&2
  exit 1
}
start() { # name command… (in the background, pid and log under $DIR)
  local name=$1
  shift
  if running "$name"; then
    echo "[cluster] $name is already running (pid $(cat "$DIR/pids/$name.pid"))" >&2
    return 0
  fi
  nohup "$@" >>"$DIR/logs/$name.log" 2>&1 &
  echo $! >"$DIR/pids/$name.pid"
}

# PostgreSQL, unpacked from the embedded-postgres jar; data kept in $DIR/postgres.
start postgres java -Xmx128m -cp "$BENCH_CP" io.agentwatch.bench.cluster.LocalPostgres "$PG_PORT" "$DIR/postgres"
await_port postgres "$PG_PORT" 90

# Redis, no persistence: it holds rate budgets, Idempotency-Key answers and recent event ids.
if ! running redis; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --pidfile "$DIR/pids/redis.pid" --logfile "$DIR/logs/redis.log" --dir "$DIR"
fi
await_port redis "$REDIS_PORT" 20

# Kafka: one KRaft node as broker and controller, from kafka_2.13 and its dependencies.
if [ "$LOG_KIND" = kafka ]; then
  mkdir -p "$DIR/kafka"
  cat >"$DIR/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/kafka/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  if [ ! -f "$DIR/kafka/data/meta.properties" ]; then
    cluster_id=$(java -cp "$BENCH_CP" kafka.tools.StorageTool random-uuid 2>>"$DIR/logs/kafka.log" | tail -1)
    java -cp "$BENCH_CP" kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/kafka/server.properties" \
      >>"$DIR/logs/kafka.log" 2>&1 || { echo "[cluster] formatting Kafka's storage failed; see $DIR/logs/kafka.log" >&2; exit 1; }
  fi
  start kafka java -Xmx512m -cp "$BENCH_CP" kafka.Kafka "$DIR/kafka/server.properties"
  await_port kafka "$KAFKA_PORT" 90
fi

# The first (admin) key of the shared store, the same for every node.
if [ ! -f "$DIR/admin-key" ]; then
  echo "aw_cluster_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" >"$DIR/admin-key"
  chmod 600 "$DIR/admin-key"
fi
KEY=$(cat "$DIR/admin-key")

for n in $(seq 1 "$NODES"); do
  port=$((FIRST_PORT + n - 1))
  # shellcheck disable=SC2086  # NODE_JAVA_OPTS is a list of JVM options
  AGENTWATCH_PORT=$port AGENTWATCH_DATA_DIR="$DIR/node$n" AGENTWATCH_ADMIN_KEY="$KEY" \
  AGENTWATCH_STORE=postgres AGENTWATCH_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
  AGENTWATCH_POSTGRES_USER=postgres AGENTWATCH_POSTGRES_PASSWORD= \
  AGENTWATCH_LOG=$LOG_KIND AGENTWATCH_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT" \
  AGENTWATCH_KAFKA_REPLICATION_FACTOR=1 AGENTWATCH_KAFKA_NODE_ID="node$n" \
  AGENTWATCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    start "node$n" java ${NODE_JAVA_OPTS:--Xmx512m} -jar "$ROOT/$SERVER_JAR"
done
for n in $(seq 1 "$NODES"); do
  port=$((FIRST_PORT + n - 1))
  ready=
  for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; then ready=1; break; fi
    running "node$n" || break
    sleep 1
  done
  if [ -z "$ready" ]; then
    echo "[cluster] node$n (port $port) is not ready; its log:" >&2
    tail -40 "$DIR/logs/node$n.log" >&2
    exit 1
  fi
done

cat <<DONE
Agentwatch cluster running ($LOG_KIND log, PostgreSQL on $PG_PORT, Redis on $REDIS_PORT$( [ "$LOG_KIND" = kafka ] && echo ", Kafka on $KAFKA_PORT")):
$(for n in $(seq 1 "$NODES"); do echo "  node$n  http://127.0.0.1:$((FIRST_PORT + n - 1))"; done)
Admin key: $KEY   (also in $DIR/admin-key)
Logs: $DIR/logs    Stop: scripts/cluster-stop.sh    Stop and delete the data: scripts/cluster-stop.sh --wipe
DONE
