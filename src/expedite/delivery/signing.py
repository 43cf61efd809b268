"""Signing the confirmation with the firm's certificate (pyHanko, PAdES B-B) and checking a
signed file offline.

A file passes `verify_signed_pdf` only when all of these hold:
- exactly one signature, which pyHanko finds intact (the digest matches) and valid;
- it covers the whole file (nothing appended or changed after signing);
- the signer is the firm's certificate, or chains to a configured trust root, with no
  fetching of anything (offline);
- the signature container is stored exactly as it was written: canonical DER, upper-case
  hex, zero padding. pyHanko decodes leniently (a changed DER length or padding byte still
  parses to the same signature), so a changed byte there would otherwise go unnoticed.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

FIELD_NAME = "ClientConfirmation"


def _outside_event_loop(fn, /, *args, **kwargs):
    """pyHanko drives its own event loop (asyncio.run): where one already runs in this
    thread (an async server, a browser-test driver), it runs in a worker thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def sign_pdf(pdf: bytes, *, reason: str, location: str, contact: str) -> bytes:
    """The PDF with the firm's PAdES signature over the whole file."""
    # The signing stack loads only when a document is signed or checked.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    # The signing stack loads only when a document is signed or checked.
    from .certs import firm_signer

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        contact_info=contact,
        name=settings.EXPEDITE_FIRM_NAME,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signer = firm_signer()
    return _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer).getvalue()


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    signer: str = ""
    signed_at: str = ""
    reason: str = ""
    firm_certificate: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _load_cert(path: str):
    # The signing stack loads only when a document is signed or checked.
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    if pem.detect(data):
        _name, _headers, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def trust_roots() -> tuple[bytes | None, list]:
    """The firm's certificate (DER, or None when there is none yet) and every trust root."""
    # The signing stack loads only when a document is signed or checked.
    from asn1crypto import x509

    # The signing stack loads only when a document is signed or checked.
    from .certs import CertificateProblem, firm_certificate, generated_path

    roots = [_load_cert(p) for p in settings.EXPEDITE_SIGNING_TRUST_ROOTS]
    firm_der = None
    if settings.EXPEDITE_SIGNING_P12 or generated_path().is_file():
        try:
            firm_der = firm_certificate().der
        except CertificateProblem:
            firm_der = None
    if firm_der is not None:
        roots.append(x509.Certificate.load(firm_der))
    return firm_der, roots


def _canonical_contents(data: bytes, embedded) -> bool:
    """The /Contents hole holds exactly what pyHanko writes for this signature: the DER of
    the signature (re-encoded from its parsed form), as upper-case hex, then zeros."""
    # The signing stack loads only when a document is signed or checked.
    from asn1crypto import cms

    start, end = embedded.byte_range[1], embedded.byte_range[2]
    raw = bytes(embedded.pkcs7_content)
    canonical = cms.ContentInfo.load(raw, strict=False).dump(force=True)
    expected = b"<" + canonical.hex().upper().encode().ljust(len(raw) * 2, b"0") + b">"
    if data[start:end] != expected:
        return False
    # The parts of the container the signature itself cannot cover must be what the signed
    # parts imply (RFC 5652 5.1, 5.3): one digest algorithm, the signer's; the versions.
    signed_data = cms.ContentInfo.load(raw, strict=False)["content"]
    (signer,) = signed_data["signer_infos"]
    digests = signed_data["digest_algorithms"]
    version = "v1" if signer["sid"].name == "issuer_and_serial_number" else "v3"
    return (
        len(digests) == 1
        and digests[0].dump() == signer["digest_algorithm"].dump()
        and signer["version"].native == version
        and signed_data["version"].native == ("v1" if version == "v1" else "v3")
    )


def verify_signed_pdf(data: bytes, *, firm_der: bytes | None, roots: list) -> Verification:
    """Check a signed confirmation offline; the problems are Chinese sentences."""
    # The signing stack loads only when a document is signed or checked.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    result = Verification()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    # A damaged file fails to parse in many ways (pyHanko, asn1crypto, decimal): all invalid.
    except Exception as exc:
        result.problems.append(f"文件不是可读的 PDF，或其结构已被改动：{exc}")
        return result
    if len(signatures) != 1:
        result.problems.append(f"文件中应有 1 个签名，实际有 {len(signatures)} 个。")
        return result
    embedded = signatures[0]
    if not roots:
        result.problems.append(
            "没有可用的信任根：本所签章证书不存在，也未配置 EXPEDITE_SIGNING_TRUST_ROOTS。"
        )
        return result
    try:
        status = _outside_event_loop(
            validate_pdf_signature,
            embedded,
            ValidationContext(trust_roots=roots, allow_fetching=False),
        )
        signer = embedded.signer_cert
        # Re-encoding the container is the slow part: only for a signature otherwise sound.
        canonical = status.intact and status.valid and _canonical_contents(data, embedded)
    except Exception as exc:
        result.problems.append(f"签名无法解析或已损坏：{exc}")
        return result
    result.signer = signer.subject.human_friendly
    when = status.signer_reported_dt
    result.signed_at = f"{when:%Y-%m-%d %H:%M:%S %Z}" if when else ""
    result.reason = str(embedded.sig_object.get("/Reason", ""))
    result.firm_certificate = firm_der is not None and signer.dump() == firm_der
    if not (status.intact and status.valid):
        result.problems.append("签名与文件内容不符：签名后文件已被改动。")
    elif not canonical:
        result.problems.append("签名数据区已被改动。")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        result.problems.append("签名没有覆盖整个文件：签名后又追加或改动了内容。")
    # A certificate that claims to be a trust root must be that root, byte for byte.
    impostor = any(
        r.subject == signer.subject
        and r.public_key == signer.public_key
        and r.dump() != signer.dump()
        for r in roots
    )
    if impostor or not (status.trusted or result.firm_certificate):
        result.problems.append("签名证书不是本所的签章证书，也不受已配置的信任根信任。")
    return result
