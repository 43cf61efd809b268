#!/usr/bin/env bash
# `expedite setup` on a new database at every hour of a week and at the instants that broke
# the demo before (31 December, the eve of the Spring Festival break, …), two at a time.
#   scripts/setup-at-every-hour.sh [MONDAY]     MONDAY defaults to 2026-11-30
# Prints one line per instant (ok / FAIL with the error) and a count; exits 1 on any failure.
# Migrations and the catalog are instant-independent: they run once, and each instant starts
# from a copy of that database and loads the demo, as `expedite setup` does on a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
monday="${1:-2026-11-30}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
PY=.venv/bin/python

EXPEDITE_VAR_DIR="$work/template" $PY -m tests.at_instant "${monday}T09:00:00+08:00" \
  setup --no-demo >/dev/null

$PY - "$monday" >"$work/instants" <<'PYTHON'
import datetime as dt
import sys

monday = dt.datetime.fromisoformat(sys.argv[1]).replace(minute=30)
for hour in range(7 * 24):
    print((monday + dt.timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:00+08:00"))
for extra in ("2026-12-31T23:30", "2026-12-31T17:30", "2026-02-13T17:30", "2026-02-14T17:30",
              "2027-02-04T17:30", "2026-09-30T23:59", "2026-12-04T17:59"):
    print(extra + ":00+08:00")
PYTHON

one() {
  local instant="$1" dir
  dir="$work/$(echo "$instant" | tr -c 'A-Za-z0-9\n' _)"
  cp -r "$work/template" "$dir"
  if out=$(EXPEDITE_VAR_DIR="$dir" $PY -m tests.at_instant "$instant" demo 2>&1); then
    echo "ok   $instant"
  else
    echo "FAIL $instant: $(echo "$out" | grep -E 'Error|error' | tail -1)"
  fi
  rm -rf "$dir"
}
export -f one
export work PY
xargs -P 2 -I{} bash -c 'one "$@"' _ {} <"$work/instants" | tee "$work/results"
ok=$(grep -c '^ok' "$work/results" || true)
total=$(wc -l <"$work/instants")
echo "$ok of $total instants: expedite setup succeeded"
[ "$ok" -eq "$total" ]
