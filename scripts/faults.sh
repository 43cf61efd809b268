#!/usr/bin/env bash
# Kill each process of `expedite serve` with SIGKILL during writes, on both setups, and check
# that nothing acknowledged is lost, no e-mail is sent twice and the service comes back
# (scripts/faults.py; docs/operations.md, "Faults"). The PostgreSQL + Redis run is skipped
# with a message when either does not answer (DATABASE_URL, EXPEDITE_QUEUE_URL, else the
# defaults on 127.0.0.1), unless FAULTS_REQUIRE_SCALED=1.
#   scripts/faults.sh [options of scripts/faults.py]
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
python=.venv/bin/python

status=0
"$python" scripts/faults.py "$@" || status=1
"$python" scripts/faults.py --scaled "$@" || status=1
[ "$status" = 0 ] && echo "faults: all OK" || echo "faults: FAILED"
exit "$status"
