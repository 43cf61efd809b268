#!/usr/bin/env bash
# Every benchmark once, at a tiny size, so none of them rots: what CI runs (`make bench-smoke`).
# The figures mean nothing at these sizes; what counts is that each script runs to the end and
# passes its own checks. One migrated database and one demo installation are set up first and
# copied for the scripts that would each make their own (BENCH_DEMO_VAR: an installation with
# the demo already set up, as CI has one); three lanes run side by side (the servers and
# locust wait as much as they compute). PSPLIB instances are used where they are
# ($EXPEDITE_PSPLIB, as the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
py="$PWD/.venv/bin/python"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# Each benchmark picks its own database; none may inherit the caller's (CI's PostgreSQL).
unset DATABASE_URL EXPEDITE_QUEUE_URL EXPEDITE_VAR_DIR

run() {  # run NAME COMMAND…: the command, timed, its output kept for the failure report
  local name="$1" began=$SECONDS
  shift
  if "$@" >"$tmp/$name.log" 2>&1; then
    echo "  ok    $name ($((SECONDS - began)) s)"
  else
    echo "  FAIL  $name ($((SECONDS - began)) s): $*"
    tail -n 30 "$tmp/$name.log" | sed 's/^/        /'
    touch "$tmp/failed"
  fi
}

fresh() {  # fresh TEMPLATE: a copy of a set-up var dir, printed
  local dir
  dir="$(mktemp -d -p "$tmp")"
  cp -r "$1/." "$dir/"
  echo "$dir"
}

lane_a() {  # what needs no database first, while lane C migrates one
  run calendar_bench "$py" benchmarks/calendar_bench.py --pairs 300
  run planning_bench "$py" benchmarks/planning_bench.py --cases 200
  run firm_load_bench "$py" benchmarks/scheduling/firm_load_bench.py --cases 30 --staff 8 --seconds 0.5
  run greedy_bench "$py" benchmarks/greedy_bench.py --cases 30 60
  local psplib="${EXPEDITE_PSPLIB:-/work/shared/benchmarks/psplib}"
  if [ -d "$psplib/j30" ]; then
    run psplib_bench "$py" benchmarks/scheduling/psplib_bench.py "$psplib" --limit 2 --seconds 0.2
  else
    echo "  skip  psplib_bench: no PSPLIB instances at $psplib"
  fi
  run firm_year "$py" benchmarks/firm_year.py --cases 40 --urgent 6 --staff 12 \
    --var "$(mktemp -d -p "$tmp")" --out "$tmp/firm-year"
  wait_for migrated
  EXPEDITE_VAR_DIR="$(fresh "$tmp/migrated")" run audit_bench "$py" benchmarks/audit_bench.py --events 300
  EXPEDITE_VAR_DIR="$(fresh "$tmp/migrated")" run import_bench \
    "$py" benchmarks/import_bench.py --rows 200 --baseline 20
  EXPEDITE_VAR_DIR="$(fresh "$tmp/migrated")" run report_bench \
    "$py" benchmarks/report_bench.py --cases 20 --baseline 10
  wait_for demo
  run case_page "$py" benchmarks/case_page.py --requests 2 --var "$(fresh "$tmp/demo")"
}

lane_b() {
  if [ -n "${BENCH_DEMO_VAR:-}" ]; then
    cp -r "$BENCH_DEMO_VAR/." "$tmp/demo.tmp"
  else
    EXPEDITE_VAR_DIR="$tmp/demo.tmp" run setup "$py" -m expedite setup
  fi
  mv "$tmp/demo.tmp" "$tmp/demo"
  # One web process instead of two: the servers' start is most of what these two cost.
  export WEB_CONCURRENCY=1
  run footprint "$py" benchmarks/footprint.py --idle 0.5 --jobs 3 --var-from "$tmp/demo"
  run load "$py" benchmarks/load.py --users 6 --spawn-rate 6 --run-time 6s --no-baseline \
    --var-from "$tmp/demo"
}

lane_c() {
  EXPEDITE_VAR_DIR="$tmp/migrated.tmp" run migrate "$py" -m expedite migrate -v0
  mv "$tmp/migrated.tmp" "$tmp/migrated"
  run pages_bench "$py" benchmarks/pages_bench.py --sizes 20 40 --requests 2 --rounds 1 \
    --var "$tmp/pages" --migrated "$tmp/migrated"
  run nightly_bench "$py" benchmarks/nightly_bench.py --sizes 20 --seconds 1 --var "$tmp/pages"
  run watch_bench "$py" benchmarks/watch_bench.py --sizes 20 --steady 2 \
    --var "$tmp/pages" --migrated "$tmp/migrated"
}

wait_for() {  # wait_for NAME: until another lane has made $tmp/NAME (at most 5 minutes)
  local waited=0
  while [ ! -e "$tmp/$1" ]; do
    if [ "$waited" -ge 600 ]; then
      echo "  FAIL  $1 never came"
      touch "$tmp/failed"
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

echo "== benchmarks, smoke sizes"
lane_a >"$tmp/lane-a.out" 2>&1 &
a=$!
lane_b >"$tmp/lane-b.out" 2>&1 &
b=$!
lane_c >"$tmp/lane-c.out" 2>&1 &
c=$!
wait "$a" "$b" "$c" || true
status=0
[ -e "$tmp/failed" ] && status=1
cat "$tmp/lane-c.out" "$tmp/lane-a.out" "$tmp/lane-b.out"
echo "== benchmarks: $([ "$status" = 0 ] && echo ok || echo FAILED) in $(($(date +%s) - start)) s"
exit "$status"
