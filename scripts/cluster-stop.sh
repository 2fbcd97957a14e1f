#!/usr/bin/env bash
# Stops the local cluster that scripts/cluster-start.sh started: the Agentwatch nodes first
# (graceful: acks in flight go out, subscribers get a resumable gap), then Kafka, Redis and
# PostgreSQL. Only the processes whose pids are under $CLUSTER_DIR/pids are touched.
#
#   scripts/cluster-stop.sh          # stop, keep the data for the next start
#   scripts/cluster-stop.sh --wipe   # stop and delete $CLUSTER_DIR
set -uo pipefail
cd "$(dirname "$0")/.."
DIR=${CLUSTER_DIR:-cluster}
if [ ! -d "$DIR/pids" ]; then
  echo "[cluster] nothing to stop: no $DIR/pids" >&2
else
  stop() { # name seconds
    local file="$DIR/pids/$1.pid"
    [ -f "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 $(($2 * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "[cluster] $1 (pid $pid) did not stop within $2 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null
      fi
      echo "[cluster] stopped $1" >&2
    fi
    rm -f "$file"
  }
  for file in "$DIR"/pids/node*.pid; do
    [ -e "$file" ] || continue
    name=$(basename "$file" .pid)
    stop "$name" 40 &
  done
  wait
  stop kafka 60
  stop redis 10
  stop postgres 30
fi
if [ "${1:-}" = --wipe ]; then
  rm -rf "$DIR"
  echo "[cluster] deleted $DIR" >&2
fi
