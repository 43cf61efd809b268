"""Automatic checks of a client's material: the file itself and the fields entered with it.

Each check returns findings rather than raising: a submission is kept whatever it contains
(the client's upload is evidence), and the reviewer sees what the machine noticed. Only a
file that is not a file we accept at all (wrong type, too large, empty) is refused before it
is stored; that decision is the caller's, from `Finding.refuse`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from .errors import ValidationFailed, gettext_noop
from .findings import WARNING, Finding, parse_amount, parse_date
from .identifiers import IdentifierRefused, normalize_resident_id, normalize_uscc
from .phrases import Items, Phrase, Term, templates
from .wages import WageMinimum, check_wage_base

# A scan whose shorter side has fewer pixels than this cannot be read by a reviewer (an
# A4 page at about 70 dpi); phone photos are 1000 px and more.
MIN_IMAGE_SIDE = 600
MAX_PDF_PAGES = 200


@dataclass(frozen=True, slots=True)
class FileFacts:
    kind: str | None  # pdf | jpg | png, by content
    size: int
    sha256: str
    pages: int | None = None
    width: int | None = None
    height: int | None = None

    @property
    def content_type(self) -> str:
        return {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}.get(
            self.kind or "", "application/octet-stream"
        )


# -- files -------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXTENSIONS = {".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}
TYPE_NAMES = {"pdf": "PDF", "jpg": "JPG", "png": "PNG"}


def sniff_type(content: bytes) -> str | None:
    """The file's real type from its first bytes, whatever its name says."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(PNG_SIGNATURE):
        return "png"
    return None


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def inspect_file(
    content: bytes,
    *,
    name: str,
    accepted: tuple[str, ...] = ("pdf", "jpg", "png"),
    max_bytes: int,
    seen: dict[str, str] | None = None,
) -> tuple[FileFacts, list[Finding]]:
    """Facts about an uploaded file and what is wrong with it.

    `seen` maps the SHA-256 of files already on the case to a description (e.g. the item
    they were uploaded for): the same bytes again are flagged, not refused.
    """
    digest = hashlib.sha256(content).hexdigest()
    kind = sniff_type(content)
    facts = FileFacts(kind=kind, size=len(content), sha256=digest)
    findings: list[Finding] = []
    allowed = "、".join(TYPE_NAMES[a] for a in accepted)
    if not content:
        return facts, [Finding("empty", gettext_noop("文件是空的。"), refuse=True)]
    if len(content) > max_bytes:
        return facts, [
            Finding(
                "too_large",
                gettext_noop("文件不能超过 %(mb)s MB（当前 %(size)s MB）。"),
                {"mb": max_bytes // 1024 // 1024, "size": f"{len(content) / 1024 / 1024:.1f}"},
                refuse=True,
            )
        ]
    if kind is None:
        return facts, [
            Finding(
                "unknown_type",
                gettext_noop("无法识别的文件，请上传 %(allowed)s 文件。"),
                {"allowed": allowed},
                refuse=True,
            )
        ]
    if kind not in accepted:
        return facts, [
            Finding(
                "type_not_accepted",
                gettext_noop("这份材料只接受 %(allowed)s 文件，上传的是 %(kind)s。"),
                {"allowed": allowed, "kind": TYPE_NAMES[kind]},
                refuse=True,
            )
        ]
    claimed = EXTENSIONS.get(_extension(name))
    if claimed is not None and claimed != kind:
        return facts, [
            Finding(
                "type_mismatch",
                gettext_noop("文件名是 %(claimed)s，内容却是 %(kind)s，请上传原始文件。"),
                {"claimed": TYPE_NAMES[claimed], "kind": TYPE_NAMES[kind]},
                refuse=True,
            )
        ]
    if kind == "pdf":
        facts, found = _inspect_pdf(content, facts)
    else:
        facts, found = _inspect_image(content, facts)
    findings += found
    if seen and digest in seen:
        findings.append(
            Finding(
                "duplicate",
                gettext_noop("与已上传的“%(other)s”是同一个文件。"),
                {"other": seen[digest]},
                severity=WARNING,
            )
        )
    return facts, findings


def _inspect_pdf(content: bytes, facts: FileFacts) -> tuple[FileFacts, list[Finding]]:
    # The file parsers load only when a file is checked.
    from pypdf import PdfReader  # pure Python; imported here so the checks load without it
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return facts, [
                Finding(
                    "pdf_encrypted",
                    gettext_noop("PDF 设置了密码或加密，审核人员无法打开，请上传未加密的文件。"),
                )
            ]
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        return facts, [
            Finding("pdf_corrupt", gettext_noop("PDF 文件已损坏或不完整，无法打开，请重新导出。"))
        ]
    facts = FileFacts(kind=facts.kind, size=facts.size, sha256=facts.sha256, pages=pages)
    if pages == 0:
        return facts, [Finding("pdf_empty", gettext_noop("PDF 没有任何页面。"))]
    if pages > MAX_PDF_PAGES:
        return facts, [
            Finding(
                "pdf_too_many_pages",
                gettext_noop("PDF 有 %(pages)s 页，超过 %(max)s 页，请只上传这份材料本身。"),
                {"pages": pages, "max": MAX_PDF_PAGES},
            )
        ]
    return facts, []


def _inspect_image(content: bytes, facts: FileFacts) -> tuple[FileFacts, list[Finding]]:
    # The file parsers load only when a file is checked.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return facts, [
            Finding("image_corrupt", gettext_noop("图片已损坏或不完整，无法打开，请重新拍摄。"))
        ]
    facts = FileFacts(
        kind=facts.kind, size=facts.size, sha256=facts.sha256, pages=1, width=width, height=height
    )
    if min(width, height) < MIN_IMAGE_SIDE:
        return facts, [
            Finding(
                "image_low_resolution",
                gettext_noop(
                    "图片分辨率太低（%(width)s×%(height)s 像素），文字可能看不清，"
                    "请在光线充足处重新拍摄（短边至少 %(min)s 像素）。"
                ),
                {"width": width, "height": height, "min": MIN_IMAGE_SIDE},
            )
        ]
    return facts, []


# -- identifiers -------------------------------------------------------------------------------


def check_uscc(value: str, *, expected: str = "") -> list[Finding]:
    """A 统一社会信用代码 (GB 32100-2015); `expected` is the client's code on record."""
    try:
        code = normalize_uscc(value)
    except ValidationFailed as exc:
        return [Finding("uscc_invalid", exc.template, exc.params, field="uscc")]
    if expected and code != expected:
        return [
            Finding(
                "uscc_mismatch",
                gettext_noop("统一社会信用代码 %(code)s 与登记的企业代码 %(expected)s 不一致。"),
                {"code": code, "expected": expected},
                field="uscc",
            )
        ]
    return []


def check_id_number(value: str, *, today: dt.date) -> list[Finding]:
    """A 居民身份证号码 (`normalize_resident_id` says what it checks)."""
    try:
        normalize_resident_id(value, today=today)
    except IdentifierRefused as exc:
        return [Finding(exc.rule, exc.template, exc.params, field="id_number")]
    return []


# -- dates and amounts ------------------------------------------------------------------------


def check_valid_until(
    value: Any, *, today: dt.date, within_days: int | None
) -> tuple[list[Finding], str]:
    """A document's expiry date: ("expired" | "expiring" | "ok") with the finding."""
    until = parse_date(value)
    if until is None:
        return [
            Finding(
                "date_format",
                gettext_noop("日期格式应为 年-月-日，例如 2027-03-31。"),
                field="date",
            )
        ], "invalid"
    if until < today:
        return [
            Finding(
                "expired",
                gettext_noop("已于 %(date)s 过期。"),
                {"date": until.isoformat()},
                field="date",
            )
        ], "expired"
    if within_days is not None and (until - today).days <= within_days:
        return [
            Finding(
                "expiring",
                gettext_noop("将于 %(date)s 到期（%(days)s 天后），办理期间可能失效。"),
                {"date": until.isoformat(), "days": (until - today).days},
                severity=WARNING,
                field="date",
            )
        ], "expiring"
    return [], "ok"


templates({"materials.amount": gettext_noop("%(name)s %(amount)s 元")})


def check_amounts_agree(amounts: dict[str, Any]) -> list[Finding]:
    """Amounts that must be equal across documents (name of the document → amount)."""
    parsed = {name: parse_amount(v) for name, v in amounts.items() if v not in (None, "")}
    values = {v for v in parsed.values() if v is not None}
    if len(values) <= 1:
        return []
    listing = Items(
        tuple(
            Phrase("materials.amount", {"name": Term(name), "amount": f"{v:,.2f}"})
            for name, v in parsed.items()
            if v is not None
        )
    )
    return [
        Finding(
            "amounts_disagree",
            gettext_noop("金额前后不一致：%(listing)s。"),
            {"listing": listing},
            field="amount",
        )
    ]


def check_fields(
    fields: dict[str, Any],
    *,
    wanted: tuple[str, ...],
    today: dt.date,
    within_days: int | None,
    expected_uscc: str = "",
    wage_table: tuple[WageMinimum, ...] = (),
) -> list[Finding]:
    """The structured fields a material carries, as the catalog lists them; blank is skipped."""
    found: list[Finding] = []
    for name in wanted:
        value = fields.get(name)
        if value in (None, ""):
            continue
        if name == "uscc":
            found += check_uscc(str(value), expected=expected_uscc)
        elif name == "id_number":
            found += check_id_number(str(value), today=today)
        elif name == "date":
            found += check_valid_until(value, today=today, within_days=within_days)[0]
        elif name == "wage_base":
            on = parse_date(fields.get("on")) or today
            found += check_wage_base(
                value, city=str(fields.get("city") or ""), on=on, table=wage_table
            )
        elif name == "amount" and parse_amount(value) is None:
            found.append(
                Finding("amount_format", gettext_noop("金额应为数字（元）。"), field="amount")
            )
    return found
