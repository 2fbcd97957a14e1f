#!/usr/bin/env bash
# Load benchmark of the embedded pipeline (see BENCHMARKS.md): builds what is missing, starts the
# server from its jar on a free loopback port with a fresh data folder, runs LoadBench against it,
# prints the Markdown results and appends them to agentwatch-bench/target/bench-results.md, then
# stops the server and deletes the folder.
#
#   scripts/bench.sh                      # every phase, 15 s each
#   scripts/bench.sh --duration 30s       # any LoadBench option (LoadBench --help lists them)
#   BENCH_PROFILE=1 scripts/bench.sh      # also record the server with JFR and print its hot methods
#   SERVER_JAVA_OPTS='-Xmx2g' scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/bench-server.sh
RESULTS=agentwatch-bench/target/bench-results.md

start_bench_server

status=0
# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a list of JVM options
AGENTWATCH_BENCH_KEY="$KEY" java ${BENCH_JAVA_OPTS:-} -cp "$BENCH_JAR:$BENCH_LIB/*" io.agentwatch.bench.LoadBench \
  --url "http://127.0.0.1:$PORT" --server-pid "$SERVER_PID" --baseline-dir "$WORK/baseline" \
  --command "scripts/bench.sh${*:+ $*}" --build "$(bench_build)" "$@" >"$WORK/report.md" || status=$?

stop_bench_server
if [ "${BENCH_PROFILE:-0}" = 1 ] && [ -f "$WORK/server.jfr" ]; then
  cp "$WORK/server.jfr" agentwatch-bench/target/server.jfr
  {
    echo
    echo "Server profile (JFR, whole run; agentwatch-bench/target/server.jfr):"
    echo
    echo '```'
    jfr view --width 140 hot-methods "$WORK/server.jfr" 2>&1 | head -40 || true
    echo '```'
  } >>"$WORK/report.md"
fi

cat "$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
{ cat "$WORK/report.md"; echo; } >>"$RESULTS"
echo "[bench.sh] results appended to $ROOT/$RESULTS" >&2
if [ "$status" -ne 0 ]; then
  echo "[bench.sh] LoadBench exited with $status; server log tail:" >&2
  tail -20 "$WORK/server.log" >&2
fi
exit "$status"
