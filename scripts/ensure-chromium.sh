#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests (never Playwright's own download).
# Prints the path on success; exits 1 (tests then skip with a message) if it cannot be had.
set -uo pipefail
as_root_with_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
# Chinese text in screenshots needs a CJK font; the tests read the DOM, so this is best effort.
if ! fc-list 2>/dev/null | grep -qi "cjk" && as_root_with_apt; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; } >&2 || true
fi
for candidate in "${EXPEDITE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if as_root_with_apt; then
  echo "installing Debian's chromium for the browser tests ..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk; } >&2 \
    && [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; exit 0; }
fi
exit 1
