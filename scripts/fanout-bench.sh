#!/usr/bin/env bash
# Live delivery benchmark (see BENCHMARKS.md, "Live delivery"): starts a fresh server from its jar
# with room for many connections, runs FanoutBench against it and against its raw baseline
# (BaselineServer, started by the bench), prints the Markdown results and appends them to
# agentwatch-bench/target/fanout-results.md.
#
#   scripts/fanout-bench.sh                          # every scenario (about 10 minutes)
#   scripts/fanout-bench.sh --smoke                  # every scenario in a few seconds (CI runs this)
#   scripts/fanout-bench.sh --scenarios broad-ws,idle --subscribers 500
#   BENCH_PROFILE=1 scripts/fanout-bench.sh …        # also record the server with JFR
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/bench-server.sh
RESULTS=agentwatch-bench/target/fanout-results.md
HEARTBEAT=5

start_bench_server --agentwatch.stream.max-connections-per-key=30000 \
  --agentwatch.stream.max-connections-per-tenant=30000 --agentwatch.heartbeat-seconds="$HEARTBEAT"

status=0
# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a list of JVM options
AGENTWATCH_BENCH_KEY="$KEY" java ${BENCH_JAVA_OPTS:--Xmx3g} -cp "$BENCH_JAR:$BENCH_LIB/*" \
  io.agentwatch.bench.FanoutBench --url "http://127.0.0.1:$PORT" --server-pid "$SERVER_PID" \
  --heartbeat "$HEARTBEAT" --command "scripts/fanout-bench.sh${*:+ $*}" --build "$(bench_build)" "$@" \
  >"$WORK/report.md" || status=$?

stop_bench_server
if [ "${BENCH_PROFILE:-0}" = 1 ] && [ -f "$WORK/server.jfr" ]; then
  cp "$WORK/server.jfr" agentwatch-bench/target/fanout-server.jfr
  { echo; echo '```'; jfr view --width 140 hot-methods "$WORK/server.jfr" 2>&1 | head -40 || true; echo '```'; } \
    >>"$WORK/report.md"
fi
cat "$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
{ cat "$WORK/report.md"; echo; } >>"$RESULTS"
echo "[fanout-bench] results appended to $ROOT/$RESULTS" >&2
if [ "$status" -ne 0 ]; then
  echo "[fanout-bench] FanoutBench exited with $status; server log tail:" >&2
  tail -20 "$WORK/server.log" >&2
fi
exit "$status"
