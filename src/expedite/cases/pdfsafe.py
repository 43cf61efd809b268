"""Typed text in the firm's PDFs, and ReportLab kept from reading anything by URL.

A ReportLab Paragraph takes markup, not text: `<img src=…>` makes the server fetch the URL
while building, `<a href=…>` puts a live link into an evidence record, and an unclosed tag or
unknown element makes the build fail. Client names, remarks, notes and file names are typed
by people, so every PDF builds its paragraphs with `paragraph`, which prints the text as typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from reportlab.platypus import Paragraph

# No URL scheme is trusted, so ReportLab reads no http(s), ftp, file: or data: resource. A
# host list has to be given for the check to apply at all; .invalid names no host (RFC 6761).
TRUSTED_SCHEMES: list[str] = []
TRUSTED_HOSTS = ["nothing.invalid"]


def paragraph(text, style) -> Paragraph:
    """A paragraph that shows `text` exactly as typed (no markup)."""
    # Platypus weighs ~20 MB resident: loaded by the processes that draw PDFs, when they do.
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def reportlab_offline() -> None:
    """Run at start-up, before any PDF is built: ReportLab reads these settings once, on its
    first resource read, and keeps them for the life of the process."""
    # ReportLab loads only in processes that draw PDFs.
    from reportlab import rl_config

    rl_config.trustedSchemes = list(TRUSTED_SCHEMES)
    rl_config.trustedHosts = list(TRUSTED_HOSTS)
