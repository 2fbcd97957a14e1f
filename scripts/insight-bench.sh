#!/usr/bin/env bash
# Insight benchmark (see BENCHMARKS.md, "Insight"): builds what is missing, starts the server from
# its jar on a free loopback port with a fresh data folder and the analytics' deadlines scaled down
# (stuck tasks 20 s, heartbeats 5 s × 3, hoarding 10 s, anomaly buckets 2 s, ticks 1 s) so a round
# takes about a minute and a half, runs InsightBench against it, prints the Markdown results and
# appends them to agentwatch-bench/target/insight-results.md, then stops the server.
#
#   scripts/insight-bench.sh                          # 3 rounds of 45 s, 8 agents per tenant
#   scripts/insight-bench.sh --rounds 5 --rate 100    # any InsightBench option
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/java-home.sh

SERVER_JAR=agentwatch-server/target/agentwatch.jar
BENCH_JAR=agentwatch-bench/target/agentwatch-bench.jar
BENCH_LIB=agentwatch-bench/target/lib
RESULTS=agentwatch-bench/target/insight-results.md

if [ ! -f "$SERVER_JAR" ]; then
  mvn -B -q -DskipTests package -pl agentwatch-server -am
fi
if [ ! -f "$BENCH_JAR" ] || [ ! -d "$BENCH_LIB" ]; then
  mvn -B -q -DskipTests package -pl agentwatch-bench -am
fi

PORT=
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    PORT=$candidate
    break
  fi
done
[ -n "$PORT" ] || { echo "[insight-bench.sh] no free port found" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/agentwatch-insight.XXXXXX")
KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

echo "[insight-bench.sh] starting the server on 127.0.0.1:$PORT" >&2
# shellcheck disable=SC2086
java ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" \
  --server.address=127.0.0.1 --server.port="$PORT" \
  --agentwatch.data-dir="$WORK/data" --agentwatch.admin-key="$KEY" \
  --agentwatch.rate-limit=10000000 --agentwatch.demo=false \
  --agentwatch.analytics.tick=1s --agentwatch.analytics.stuck-task-timeout=20s \
  --agentwatch.analytics.heartbeat-interval=5s --agentwatch.analytics.missed-heartbeats=3 \
  --agentwatch.analytics.hoarding-hold-for=10s --agentwatch.analytics.anomaly-bucket=2s \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
healthy=
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null 2>&1; then
    healthy=1
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$healthy" ]; then
  echo "[insight-bench.sh] the server did not become healthy; its log:" >&2
  tail -50 "$WORK/server.log" >&2
  exit 1
fi

status=0
AGENTWATCH_BENCH_KEY="$KEY" java ${BENCH_JAVA_OPTS:-} -cp "$BENCH_JAR:$BENCH_LIB/*" io.agentwatch.bench.InsightBench \
  --url "http://127.0.0.1:$PORT" "$@" >"$WORK/report.md" || status=$?
stop_server
cat "$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
{ echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u '+%Y-%m-%d %H:%M UTC')"; echo; cat "$WORK/report.md"; echo; } >>"$RESULTS"
if [ "$status" -ne 0 ]; then
  echo "[insight-bench.sh] InsightBench exited with $status; server log tail:" >&2
  tail -30 "$WORK/server.log" >&2
fi
exit "$status"
