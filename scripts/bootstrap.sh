#!/usr/bin/env bash
# Create .venv (if missing) and install Expedite into it.
#   scripts/bootstrap.sh          runtime dependencies
#   scripts/bootstrap.sh dev      runtime + test/lint dependencies
# On Debian, `python3 -m venv` needs the python3-venv package; as root we install it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
EXTRA="${1:-}"

"$PYTHON" - <<'PY' || { echo "Expedite needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

# The PDFs (evidence index, 结果确认单) embed a CJK TrueType font from Debian's fonts-wqy-zenhei;
# without root, install it by hand or point EXPEDITE_PDF_FONT at a .ttf/.ttc (docs/delivery.md).
if [ -z "${EXPEDITE_PDF_FONT:-}" ] && [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing fonts-wqy-zenhei (Debian) for the PDFs ..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei; } \
      || echo "fonts-wqy-zenhei could not be installed: PDFs will fail until EXPEDITE_PDF_FONT is set." >&2
  else
    echo "no CJK TrueType font: install fonts-wqy-zenhei or set EXPEDITE_PDF_FONT (docs/delivery.md)." >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing python3-venv (Debian) ..."
      apt-get update -qq
      ver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${ver}-venv" || \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      "$PYTHON" -m venv .venv
    else
      echo "python3 -m venv failed: install the python3-venv package." >&2
      exit 1
    fi
  fi
fi

stamp=".venv/.installed${EXTRA:+-$EXTRA}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  if [ "$EXTRA" = dev ]; then
    .venv/bin/python -m pip install -q -e ".[dev]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  touch "$stamp"
fi
