#!/usr/bin/env bash
# Starts Agentwatch: embedded SQLite store under ./data, simulated demo agents, port 8080.
# Builds the server first when the jar is missing or older than the sources.
# Any AGENTWATCH_* variable (see README) or --agentwatch.* option changes the defaults.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-home.sh
jar=agentwatch-server/target/agentwatch.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./data -prune -o -path '*/target' -prune -o -path '*/node_modules' -prune \
    -o -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.yml' -o -name '*.html' -o -name '*.ts' \
    -o -name '*.tsx' -o -name '*.css' -o -name 'package*.json' \) -print -quit)" ]; then
  echo "Building Agentwatch (first run takes a few minutes)…"
  mvn -B -q -DskipTests package
fi
export AGENTWATCH_DEMO="${AGENTWATCH_DEMO:-true}"
exec java -jar "$jar" "$@"
