#!/usr/bin/env bash
# Browser benchmark of the dashboard (see BENCHMARKS.md): builds what is missing, starts the server
# from its jar on a free loopback port with a fresh data folder (scripts/bench-server.sh, as the
# other benchmarks do), runs BrowserBench, which drives the machine's headless Chromium against it,
# prints the Markdown results and appends them to agentwatch-bench/target/browser-bench-results.md,
# then stops the server and deletes the folder. Screenshots of each view under load go to
# agentwatch-bench/target/browser-bench/.
#
#   scripts/browser-bench.sh                          # overview and live events; idle, 2,000 and 10,000 events/s
#   scripts/browser-bench.sh --rates 500,2000 --duration 30s   # any BrowserBench option (--help lists them)
#   SERVER_JAVA_OPTS='-Xmx2g' scripts/browser-bench.sh
#   SERVER_JAR=/tmp/before.jar scripts/browser-bench.sh   # another build of the server, e.g. to compare
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/bench-server.sh
RESULTS=agentwatch-bench/target/browser-bench-results.md

start_bench_server

status=0
# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a list of JVM options
AGENTWATCH_BENCH_KEY="$KEY" java ${BENCH_JAVA_OPTS:-} -cp "$BENCH_JAR:$BENCH_LIB/*" io.agentwatch.bench.BrowserBench \
  --url "http://127.0.0.1:$PORT" --server-pid "$SERVER_PID" --profile-dir "$WORK/chromium" \
  --screenshots agentwatch-bench/target/browser-bench \
  --command "scripts/browser-bench.sh${*:+ $*}" --build "$(bench_build)" "$@" >"$WORK/report.md" || status=$?

stop_bench_server
cat "$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
{ cat "$WORK/report.md"; echo; } >>"$RESULTS"
echo "[browser-bench.sh] results appended to $ROOT/$RESULTS" >&2
if [ "$status" -ne 0 ]; then
  echo "[browser-bench.sh] BrowserBench exited with $status; server log tail:" >&2
  tail -20 "$WORK/server.log" >&2
fi
exit "$status"
