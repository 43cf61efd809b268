"""Checks of a file the firm hands to its client (a result: 新执照扫描件, 回执, 受理通知书).

A result is opened by the client on its own computer, so it is held to more than a client's
material (`materials.inspect_file`, which it reuses for the type and the size): its real type
is read from the bytes, whatever its name says; anything but PDF, JPG or PNG is refused,
archives included (a result is never an archive, so no archive is ever unpacked); a PDF must
open and must carry nothing that runs or unpacks by itself (JavaScript, an action on opening,
a launched program, an embedded file). Each refusal names the file and stores nothing.
"""

from __future__ import annotations

import io
import re
import zlib

from .errors import ValidationFailed, gettext_noop
from .materials import FileFacts, inspect_file

RESULT_TYPES = ("pdf", "jpg", "png")

# What a file that is not a result usually is, from its first bytes, for a message that says so.
_FOREIGN = (
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
    (b"BZh", "BZIP2"),
    (b"\xfd7zXZ\x00", "XZ"),
)
_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|\?xml)\b", re.I
)

# PDF actions that run code, open other files or programs, or send data (ISO 32000-1 12.6.4).
_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/RichMediaExecute",
    }
)
# Names that mean code or an embedded file wherever they appear as a key or a type.
_KEYS = {
    "/JS": "/JavaScript",
    "/JavaScript": "/JavaScript",
    "/EmbeddedFiles": "/EmbeddedFile",
    "/EF": "/EmbeddedFile",
    "/XFA": "/XFA",
    "/RichMedia": "/RichMedia",
}
_TYPES = {
    "/EmbeddedFile": "/EmbeddedFile",
    "/FileAttachment": "/EmbeddedFile",
    "/RichMedia": "/RichMedia",
}
# The same names found in the file's bytes outside any stream (an object no cross-reference
# table lists still runs in a reader that rebuilds the table), and in every object stream.
_RAW_NAMES = {
    "JS": "/JavaScript",
    "JavaScript": "/JavaScript",
    "Launch": "/Launch",
    "EmbeddedFile": "/EmbeddedFile",
    "EmbeddedFiles": "/EmbeddedFile",
    "XFA": "/XFA",
    "SubmitForm": "/SubmitForm",
    "ImportData": "/ImportData",
    "GoToR": "/GoToR",
    "GoToE": "/GoToE",
    "RichMedia": "/RichMedia",
    "RichMediaExecute": "/RichMediaExecute",
}
_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.S)
_STREAM_START = re.compile(rb"stream\r?\n")
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /\[\]()<>{}%]+)")
_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
# An object stream holds small dictionaries; more than this inflated is not a stream of objects.
_OBJSTM_MAX = 16 * 1024 * 1024
_MAX_DEPTH = 100


def foreign_kind(content: bytes) -> str | None:
    """ "ZIP", "HTML" …: what a file that is none of our types is, when it says so itself."""
    for magic, kind in _FOREIGN:
        if content.startswith(magic):
            return kind
    head = content[:1024].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if _MARKUP.search(head) or head.startswith((b"#!", b"<%", b"<?php")):
        return "HTML"
    return None


class UnreadablePdf(Exception):
    """pypdf could not read every object of the file."""


def _raw_names(data: bytes) -> set[str]:
    found = set()
    for match in _NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:  # /J#61vaScript is /JavaScript (ISO 32000-1 7.3.5)
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        name = raw.decode("latin-1")
        if name in _RAW_NAMES:
            found.add(_RAW_NAMES[name])
    return found


def _scan_bytes(content: bytes) -> set[str]:
    found = _raw_names(_STREAM.sub(b"stream endstream", content))
    for match in _OBJSTM.finditer(content):
        start = _STREAM_START.search(content, match.end())
        if start is None:
            continue
        head = content[max(content.rfind(b"obj", 0, match.start()), 0) : start.start()]
        if b"/FlateDecode" not in head:
            continue  # other filters: pypdf reads the object streams the file lists
        end = content.find(b"endstream", start.end())
        try:
            data = zlib.decompressobj().decompress(content[start.end() : end], _OBJSTM_MAX)
        except zlib.error:
            continue
        found |= _raw_names(data)
    return found


def _check_dict(obj, found: set[str]) -> None:
    # The PDF parser loads only when a file is checked.
    from pypdf.generic import ArrayObject, DictionaryObject

    keys = set(dict.keys(obj))
    for key in keys & set(_KEYS):
        found.add(_KEYS[key])
    kind = _resolved(dict.get(obj, "/S"))
    if isinstance(kind, str) and kind in _ACTIONS:
        found.add(str(kind))
    for key in ("/Type", "/Subtype"):
        value = _resolved(dict.get(obj, key))
        if isinstance(value, str) and value in _TYPES:
            found.add(_TYPES[value])
    if "/OpenAction" in keys:
        # Opening at a page (a destination, or a GoTo to one) is what viewers do anyway;
        # any other action on opening is refused.
        action = _resolved(dict.get(obj, "/OpenAction"))
        if not isinstance(action, ArrayObject) and not (
            isinstance(action, DictionaryObject) and _resolved(dict.get(action, "/S")) == "/GoTo"
        ):
            found.add("/OpenAction")
    if "/AA" in keys:
        # Actions run by events (a page opened, a field left): a result has no use for them.
        triggers = _resolved(dict.get(obj, "/AA"))
        if isinstance(triggers, DictionaryObject) and any(
            isinstance(_resolved(v), DictionaryObject) for v in dict.values(triggers)
        ):
            found.add("/AA")


def _resolved(value):
    # The PDF parser loads only when a file is checked.
    from pypdf.generic import IndirectObject

    if isinstance(value, IndirectObject):
        return value.get_object()
    return value


def _walk(obj, found: set[str], depth: int = 0) -> None:
    """Every dictionary inside `obj`, not following references (each object is walked once)."""
    # The PDF parser loads only when a file is checked.
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > _MAX_DEPTH:
        raise UnreadablePdf("nesting")
    if isinstance(obj, DictionaryObject):
        _check_dict(obj, found)
        for value in dict.values(obj):
            _walk(value, found, depth + 1)
    elif isinstance(obj, ArrayObject):
        for value in list.__iter__(obj):
            _walk(value, found, depth + 1)


def pdf_active_content(content: bytes) -> tuple[str, ...]:
    """The PDF names of what in the file would run or unpack by itself, sorted; () if nothing.

    Every object the cross-reference tables list is read (those in object streams too), and
    the bytes outside streams and inside object streams are searched as well. Raises
    UnreadablePdf when an object cannot be read: a file we cannot check is not passed on.
    """
    # The PDF parser loads only when a file is checked.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject

    found = _scan_bytes(content)
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("password")
        _walk(reader.trailer, found)
        ids = {(num, gen) for gen, entries in reader.xref.items() for num in entries}
        ids |= {(num, 0) for num in reader.xref_objStm}
        for num, gen in sorted(ids):
            _walk(reader.get_object(IndirectObject(num, gen, reader)), found)
    except UnreadablePdf:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise UnreadablePdf(str(e)) from e
    except RecursionError as e:
        raise UnreadablePdf("nesting") from e
    return tuple(sorted(found))


_REFUSALS = {
    "empty": gettext_noop("结果文件“%(name)s”是空的，未保存。"),
    "too_large": gettext_noop("结果文件“%(name)s”超过 %(mb)s MB（当前 %(size)s MB），未保存。"),
    "unknown_type": gettext_noop(
        "结果文件“%(name)s”按内容识别不是 PDF、JPG 或 PNG 文件，未保存；请上传原始的 PDF 或图片。"
    ),
    "type_mismatch": gettext_noop(
        "结果文件“%(name)s”的文件名是 %(claimed)s，内容却是 %(kind)s，未保存；请上传原始文件。"
    ),
    "pdf_corrupt": gettext_noop(
        "结果文件“%(name)s”已损坏或无法完整读取，未保存；请重新导出后上传。"
    ),
    "pdf_encrypted": gettext_noop(
        "结果文件“%(name)s”设置了打开密码，客户无法打开，未保存；请上传未加密的文件。"
    ),
    "pdf_empty": gettext_noop("结果文件“%(name)s”没有任何页面，未保存。"),
    "image_corrupt": gettext_noop("结果文件“%(name)s”图片已损坏或无法打开，未保存。"),
}


def _refuse(code: str, name: str, **params) -> ValidationFailed:
    return ValidationFailed(_REFUSALS[code], field="file", params={"name": name, **params})


def check_result_file(content: bytes, *, name: str, max_bytes: int) -> FileFacts:
    """The facts of a result file that may go to the client, or ValidationFailed naming it."""
    facts, findings = inspect_file(content, name=name, accepted=RESULT_TYPES, max_bytes=max_bytes)
    for finding in findings:
        if finding.code in ("unknown_type", "type_not_accepted"):
            foreign = foreign_kind(content)
            if foreign == "HTML":
                raise ValidationFailed(
                    gettext_noop(
                        "结果文件“%(name)s”的内容是网页（HTML）或脚本，不能交给客户，未保存。"
                    ),
                    field="file",
                    params={"name": name},
                )
            if foreign is not None:
                raise ValidationFailed(
                    gettext_noop(
                        "结果文件“%(name)s”是 %(kind)s 压缩包，未保存：结果文件只接受 PDF、JPG、"
                        "PNG，不接受压缩包，请解压后逐个上传。"
                    ),
                    field="file",
                    params={"name": name, "kind": foreign},
                )
            raise _refuse("unknown_type", name)
        # A PDF locked only against editing opens without a password: the check below reads it.
        if finding.code in _REFUSALS and finding.code != "pdf_encrypted":
            raise _refuse(finding.code, name, **finding.params)
    if facts.kind == "pdf":
        try:
            active = pdf_active_content(content)
        except UnreadablePdf as exc:
            code = "pdf_encrypted" if exc.args == ("password",) else "pdf_corrupt"
            raise _refuse(code, name) from None
        if active:
            raise ValidationFailed(
                gettext_noop(
                    "结果文件“%(name)s”含有会自动运行或释放的内容（%(what)s），不能交给客户，"
                    "未保存；请另存或打印为不含脚本、动作和附件的 PDF 后上传。"
                ),
                field="file",
                params={"name": name, "what": "、".join(active)},
            )
    return facts
