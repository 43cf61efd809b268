#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests (never Playwright's own download).
# Prints the path on success; exits 1 (tests then skip with a message) if it cannot be had.
set -uo pipefail
for candidate in "${EXPEDITE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests ..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk; } >&2 \
    && [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; exit 0; }
fi
exit 1
