#!/usr/bin/env bash
# Runs every test of every module (unit, contract, end-to-end, crash) with a JDK 21+.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-home.sh
exec mvn -B verify "$@"
