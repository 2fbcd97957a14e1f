# Sourced by the benchmark scripts: builds what is missing, and starts and stops a fresh
# Agentwatch server from its jar on a free loopback port with its own data folder and admin key.
#
#   start_bench_server [--agentwatch.x=y …]   sets PORT, SERVER_PID, KEY, WORK (server log in $WORK/server.log)
#   stop_bench_server                         graceful stop, SIGKILL after 30 s
# A trap removes $WORK and stops the server when the calling script exits.
source scripts/java-home.sh

SERVER_JAR=${SERVER_JAR:-agentwatch-server/target/agentwatch.jar}   # another build of the server, to compare
BENCH_JAR=agentwatch-bench/target/agentwatch-bench.jar
BENCH_LIB=agentwatch-bench/target/lib

if [ ! -f "$SERVER_JAR" ]; then
  echo "[bench] building the server jar" >&2
  mvn -B -q -DskipTests package -pl agentwatch-server -am
fi
if [ ! -f "$BENCH_JAR" ] || [ ! -d "$BENCH_LIB" ]; then
  echo "[bench] building the bench" >&2
  mvn -B -q -DskipTests package -pl agentwatch-bench -am
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/agentwatch-bench.XXXXXX")
KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SERVER_PID=
PORT=

# A free loopback port: try random ones until nothing answers (bounded).
free_port() {
  for _ in $(seq 1 50); do
    local candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "[bench] no free port found" >&2
  return 1
}

start_bench_server() {
  PORT=$(free_port)
  local jfr=()
  if [ "${BENCH_PROFILE:-0}" = 1 ]; then
    jfr=("-XX:StartFlightRecording=filename=$WORK/server.jfr,settings=profile,dumponexit=true")
  fi
  echo "[bench] starting the server on 127.0.0.1:$PORT (data in $WORK/data)" >&2
  # The key goes in through the environment, out of process listings.
  # shellcheck disable=SC2086  # SERVER_JAVA_OPTS is a list of JVM options
  AGENTWATCH_ADMIN_KEY="$KEY" java ${SERVER_JAVA_OPTS:-} "${jfr[@]}" -jar "$SERVER_JAR" \
    --server.address=127.0.0.1 --server.port="$PORT" --agentwatch.data-dir="$WORK/data" \
    --agentwatch.rate-limit=10000000 --agentwatch.demo=false "$@" \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do   # at most 60 s
    if curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "[bench] the server did not become healthy; its log:" >&2
  tail -50 "$WORK/server.log" >&2
  return 1
}

stop_bench_server() {
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

bench_cleanup() {
  stop_bench_server
  rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# "commit abc123 (with uncommitted changes); agentwatch.jar built …", for the report.
bench_build() {
  local build
  build="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if ! git diff --quiet HEAD 2>/dev/null; then build="$build with uncommitted changes"; fi
  echo "$build; $SERVER_JAR built $(date -u -r "$SERVER_JAR" '+%Y-%m-%d %H:%M UTC')"
}
