"""The CJK TrueType font embedded in the firm's PDFs (evidence index, result confirmation).

ReportLab's built-in STSong-Light is only named in a PDF, never embedded: a reader without
that font shows boxes, which an archival document must not depend on. A TrueType font from a
distribution package (Debian's fonts-wqy-zenhei, installed by scripts/bootstrap.sh) is
subset-embedded instead. OpenType/CFF fonts (Noto CJK) cannot be embedded by ReportLab.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_NAME = "ExpediteCJK"
# Debian packages with TrueType outlines, in order of preference: (path, subfont index).
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


class FontMissing(ImproperlyConfigured):
    pass


def font_source() -> tuple[Path, int]:
    """The configured font (EXPEDITE_PDF_FONT, EXPEDITE_PDF_FONT_INDEX) or the first installed
    candidate; a clear error when there is none."""
    configured = settings.EXPEDITE_PDF_FONT
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(
                f"EXPEDITE_PDF_FONT={configured} 不存在：请指向一个 TrueType 中文字体文件"
                "（.ttf/.ttc），例如 Debian 的 fonts-wqy-zenhei。"
            )
        return path, settings.EXPEDITE_PDF_FONT_INDEX
    for candidate, index in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate), index
    raise FontMissing(
        "找不到可嵌入 PDF 的中文 TrueType 字体：请安装 fonts-wqy-zenhei"
        "（scripts/bootstrap.sh 以 root 运行时会自动安装），或用 EXPEDITE_PDF_FONT 指定字体文件。"
    )


@cache
def _register(path: str, index: int) -> str:
    # ReportLab loads only in processes that draw PDFs.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
    except (TTFError, OSError) as exc:
        raise FontMissing(
            f"字体 {path}（子字体 {index}）无法嵌入 PDF：{exc}。"
            "请使用 TrueType 轮廓的中文字体（OpenType/CFF 字体如 Noto CJK 不可用）。"
        ) from exc
    return FONT_NAME


def cjk_font() -> str:
    """Register the font with ReportLab (once per process) and return its name."""
    path, index = font_source()
    return _register(str(path), index)
