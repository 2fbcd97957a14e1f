#!/usr/bin/env bash
# Browser benchmark of the dashboard (see BENCHMARKS.md): builds what is missing, starts the server
# from its jar on a free loopback port with a fresh data folder (the same way as scripts/bench.sh),
# runs BrowserBench, which drives the machine's headless Chromium against it, prints the Markdown
# results and appends them to agentwatch-bench/target/browser-bench-results.md, then stops the
# server and deletes the folder. Screenshots of each view under load go to
# agentwatch-bench/target/browser-bench/.
#
#   scripts/browser-bench.sh                          # overview and live events; idle, 2,000 and 10,000 events/s
#   scripts/browser-bench.sh --rates 500,2000 --duration 30s   # any BrowserBench option (--help lists them)
#   SERVER_JAVA_OPTS='-Xmx2g' scripts/browser-bench.sh
#   SERVER_JAR=/tmp/before.jar scripts/browser-bench.sh   # another build of the server, e.g. to compare
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/java-home.sh

SERVER_JAR=${SERVER_JAR:-agentwatch-server/target/agentwatch.jar}
BENCH_JAR=agentwatch-bench/target/agentwatch-bench.jar
BENCH_LIB=agentwatch-bench/target/lib
RESULTS=agentwatch-bench/target/browser-bench-results.md

if [ ! -f "$SERVER_JAR" ]; then
  echo "[browser-bench.sh] building the server jar (with the dashboard)" >&2
  mvn -B -q -DskipTests package -pl agentwatch-server -am
fi
if [ ! -f "$BENCH_JAR" ] || [ ! -d "$BENCH_LIB" ]; then
  echo "[browser-bench.sh] building the bench" >&2
  mvn -B -q -DskipTests package -pl agentwatch-bench -am
fi

# A free loopback port: try random ones until nothing answers (bounded).
PORT=
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    PORT=$candidate
    break
  fi
done
[ -n "$PORT" ] || { echo "[browser-bench.sh] no free port found" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/agentwatch-browser-bench.XXXXXX")
KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do   # graceful stop: at most 30 s, then SIGKILL
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "[browser-bench.sh] starting the server on 127.0.0.1:$PORT (data in $WORK/data)" >&2
# The key goes in through the environment, out of process listings.
# shellcheck disable=SC2086  # SERVER_JAVA_OPTS is a list of JVM options
AGENTWATCH_ADMIN_KEY="$KEY" java ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" \
  --server.address=127.0.0.1 --server.port="$PORT" \
  --agentwatch.data-dir="$WORK/data" \
  --agentwatch.rate-limit=10000000 --agentwatch.demo=false \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

healthy=
for _ in $(seq 1 120); do   # at most 60 s
  if curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null 2>&1; then
    healthy=1
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$healthy" ]; then
  echo "[browser-bench.sh] the server did not become healthy; its log:" >&2
  tail -50 "$WORK/server.log" >&2
  exit 1
fi

BUILD="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git diff --quiet HEAD 2>/dev/null; then BUILD="$BUILD with uncommitted changes"; fi
BUILD="$BUILD; $SERVER_JAR built $(date -u -r "$SERVER_JAR" '+%Y-%m-%d %H:%M UTC')"

status=0
AGENTWATCH_BENCH_KEY="$KEY" java ${BENCH_JAVA_OPTS:-} -cp "$BENCH_JAR:$BENCH_LIB/*" io.agentwatch.bench.BrowserBench \
  --url "http://127.0.0.1:$PORT" --server-pid "$SERVER_PID" --profile-dir "$WORK/chromium" \
  --screenshots agentwatch-bench/target/browser-bench \
  --command "scripts/browser-bench.sh${*:+ $*}" --build "$BUILD" "$@" >"$WORK/report.md" || status=$?

stop_server
cat "$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
{ cat "$WORK/report.md"; echo; } >>"$RESULTS"
echo "[browser-bench.sh] results appended to $ROOT/$RESULTS" >&2
if [ "$status" -ne 0 ]; then
  echo "[browser-bench.sh] BrowserBench exited with $status; server log tail:" >&2
  tail -20 "$WORK/server.log" >&2
fi
exit "$status"
