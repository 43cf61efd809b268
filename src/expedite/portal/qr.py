"""QR codes of portal links as SVG (segno), inline on pages and as a download."""

from __future__ import annotations

import functools
import io

import segno


# A link's code is drawn once per process, not on every view of the case page.
@functools.lru_cache(maxsize=512)
def qr_svg(url: str, *, scale: int = 4, inline: bool = True) -> str:
    """An SVG document (or, inline, an <svg> element without the XML declaration)."""
    qr = segno.make(url, encoding="utf-8", error="m")
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=scale,
        border=2,
        xmldecl=not inline,
        svgns=True,
        title="QR",
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue().decode("utf-8")
