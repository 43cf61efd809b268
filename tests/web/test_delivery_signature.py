"""The signed 结果确认单: valid as signed, invalid after any changed byte, checked offline by
`expedite verify-pdf`; the firm's certificate from the environment or generated at set-up."""

import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from expedite.cases.pdffont import FontMissing, cjk_font
from expedite.delivery.certs import CertificateProblem, firm_certificate, firm_signer
from expedite.delivery.pdf import confirmation_pdf
from expedite.delivery.selectors import FeeSummary, FileLine, Sheet
from expedite.delivery.signing import (
    _outside_event_loop,
    sign_pdf,
    trust_roots,
    verify_signed_pdf,
)
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.delivery import ConfirmationRecord, DateRow, Evaluation
from tests.conftest import suite_instant

NOW = dt.datetime(2026, 11, 26, 15, 30, tzinfo=SHANGHAI)
HASH = "ab" * 32


def _sheet() -> Sheet:
    return Sheet(
        reference="JJ-2026-00042",
        firm="加喜财税",
        client_name="上海鲜达电子商务有限公司",
        client_uscc="91310115MA1K4TXT0X",
        service_name="食品经营许可证",
        requested_deadline=dt.date(2026, 12, 1),
        delivered_at=NOW - dt.timedelta(hours=3),
        files=[FileLine("食品经营许可证.pdf", HASH, 12345, NOW - dt.timedelta(hours=4))],
        dates=[DateRow("承诺完成（报价方案）", dt.date(2026, 11, 27), dt.date(2026, 11, 26))],
        fees=FeeSummary(
            quoted=Decimal("3600"),
            base=Decimal("3000"),
            quoted_extra=Decimal("600"),
            actual_extra=Decimal("800"),
            by_kind=[("加班工时", Decimal("500")), ("第三方费用", Decimal("300"))],
            overtime_hours=Decimal("4"),
        ),
    )


def _record() -> ConfirmationRecord:
    return ConfirmationRecord(
        case_reference="JJ-2026-00042",
        client_name="上海鲜达电子商务有限公司",
        contact_name="周婷",
        confirmed_at=NOW,
        ip="203.0.113.9",
        code_id=77,
        evaluation=Evaluation.SATISFIED,
        remark="比加急还快",
    )


def _signed() -> bytes:
    cert = firm_certificate()
    pdf = confirmation_pdf(
        _sheet(),
        _record(),
        remark="比加急还快",
        signer=cert.subject,
        signer_sha256=cert.sha256,
        self_signed=cert.self_signed,
        tz=SHANGHAI,
        calendar=WorkCalendar(statutory_arrangements()),
    )
    return sign_pdf(
        pdf, reason=_record().signature_reason(SHANGHAI), location="上海", contact="周婷"
    )


@pytest.fixture(scope="module")
def signed() -> bytes:
    # Module-scoped, so before any test's clock is pinned: the firm's certificate, made on
    # first use, takes its validity from the suite's instant like everything else.
    with time_machine.travel(suite_instant(), tick=True):
        return _signed()


def _verify(data: bytes):
    firm_der, roots = trust_roots()
    return verify_signed_pdf(data, firm_der=firm_der, roots=roots)


def _pyhanko_accepts(data: bytes, root_der: bytes) -> bool:
    from asn1crypto import x509

    try:
        (embedded,) = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        status = _outside_event_loop(
            validate_pdf_signature,
            embedded,
            ValidationContext(trust_roots=[x509.Certificate.load(root_der)], allow_fetching=False),
        )
    except Exception:
        return False
    return status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_the_form_is_chinese_text_with_the_record_in_body_and_signature(signed):
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(signed)).pages)
    for expected in ("加急服务结果确认单", "食品经营许可证", HASH, "满意", "比加急还快", "周婷"):
        assert expected in text
    assert (
        "203.0.113.9" in text and "#77" in text and "提前 1 个工作日" in text and "800.00" in text
    )
    verdict = _verify(signed)
    assert verdict.ok, verdict.problems
    assert verdict.firm_certificate
    assert "周婷" in verdict.reason and "203.0.113.9" in verdict.reason and "#77" in verdict.reason
    assert _pyhanko_accepts(signed, firm_certificate().der)


def test_any_changed_byte_makes_the_signature_invalid(signed):
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    _, hole_start, hole_end, _ = embedded.byte_range
    # Every 149th byte of the file, and every byte around the signature container: its head
    # (DER lengths), its tail (the zero padding) and the /ByteRange after it.
    positions = set(range(0, len(signed), 149))
    positions |= set(range(hole_start, hole_start + 80))
    positions |= set(range(hole_end - 80, min(hole_end + 80, len(signed))))
    root = firm_certificate().der
    missed, missed_by_pyhanko = [], []
    for i in sorted(positions):
        tampered = bytearray(signed)
        tampered[i] ^= 0x01
        if _verify(bytes(tampered)).ok:
            missed.append(i)
        covered = not (hole_start <= i < hole_end)
        if covered and _pyhanko_accepts(bytes(tampered), root):
            missed_by_pyhanko.append(i)
    assert len(positions) > 500
    assert missed == [] and missed_by_pyhanko == []


def test_appending_to_the_file_is_detected(signed):
    verdict = _verify(signed + b"\n%extra\n")
    assert not verdict.ok and any("覆盖整个文件" in p or "改动" in p for p in verdict.problems)


def test_verify_pdf_says_valid_or_exits_non_zero_with_a_chinese_message(signed, tmp_path):
    good = tmp_path / "确认单.pdf"
    good.write_bytes(signed)
    out = io.StringIO()
    call_command("verify-pdf", str(good), stdout=out)
    assert "签名有效" in out.getvalue() and "本所签章证书" in out.getvalue()
    bad = tmp_path / "bad.pdf"
    tampered = bytearray(signed)
    at = signed.index(b"/Producer")  # document information, covered by the signature
    tampered[at + 3] ^= 0x01
    bad.write_bytes(bytes(tampered))
    with pytest.raises(CommandError) as info:
        call_command("verify-pdf", str(bad))
    assert info.value.returncode == 1 and "签名无效" in str(info.value)
    with pytest.raises(CommandError) as info:
        call_command("verify-pdf", str(tmp_path / "missing.pdf"))
    assert info.value.returncode == 2


def test_the_command_line_exits_non_zero_for_a_changed_file(signed, tmp_path):
    bad = tmp_path / "bad.pdf"
    tampered = bytearray(signed)
    tampered[len(signed) // 3] ^= 0x01
    bad.write_bytes(bytes(tampered))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EXPEDITE_VAR_DIR": str(django_settings.VAR_DIR),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "expedite", "verify-pdf", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1 and "签名无效" in run.stderr


def _key_and_cert(name: str, *, issuer=None, issuer_key=None, ca=False):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return key, builder.sign(issuer_key or key, hashes.SHA256())


def _p12(path: Path, key, cert, password: bytes, chain=()) -> Path:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"firm", key, cert, list(chain) or None, BestAvailableEncryption(password)
        )
    )
    return path


def test_a_ca_issued_certificate_from_the_environment_is_used_and_trusted(settings, tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding

    ca_key, ca = _key_and_cert("某 CA 根证书", ca=True)
    leaf_key, leaf = _key_and_cert("加喜财税", issuer=ca, issuer_key=ca_key)
    settings.EXPEDITE_SIGNING_P12 = str(_p12(tmp_path / "firm.p12", leaf_key, leaf, b"s3cret"))
    settings.EXPEDITE_SIGNING_P12_PASSWORD = "s3cret"
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(Encoding.PEM))
    settings.EXPEDITE_SIGNING_TRUST_ROOTS = [str(tmp_path / "ca.pem")]
    assert not firm_certificate().self_signed
    signed = _signed()
    verdict = _verify(signed)
    assert verdict.ok and verdict.firm_certificate and "加喜财税" in verdict.signer
    # Another firm certificate later: still valid, because the CA vouches for the signer.
    other_key, other = _key_and_cert("加喜财税（新证书）", issuer=ca, issuer_key=ca_key)
    settings.EXPEDITE_SIGNING_P12 = str(_p12(tmp_path / "new.p12", other_key, other, b"s3cret"))
    verdict = _verify(signed)
    assert verdict.ok and not verdict.firm_certificate
    # Without the CA as a trust root the old signer is nobody the firm knows.
    settings.EXPEDITE_SIGNING_TRUST_ROOTS = []
    verdict = _verify(signed)
    assert not verdict.ok and any("不是本所的签章证书" in p for p in verdict.problems)


def test_a_wrong_passphrase_or_a_missing_file_is_named(settings, tmp_path):
    key, cert = _key_and_cert("加喜财税")
    settings.EXPEDITE_SIGNING_P12 = str(_p12(tmp_path / "firm.p12", key, cert, b"right"))
    settings.EXPEDITE_SIGNING_P12_PASSWORD = "wrong"
    with pytest.raises(CertificateProblem, match="无法读取签章证书"):
        firm_signer()
    settings.EXPEDITE_SIGNING_P12 = str(tmp_path / "nope.p12")
    with pytest.raises(CertificateProblem, match="EXPEDITE_SIGNING_P12"):
        firm_certificate()


def test_without_a_configured_certificate_a_self_signed_one_is_generated_once(
    db, settings, tmp_path
):
    settings.EXPEDITE_SIGNING_DIR = tmp_path / "signing"
    first = firm_certificate()
    assert first.self_signed and (tmp_path / "signing" / "firm.p12").is_file()
    assert firm_certificate().sha256 == first.sha256
    out = io.StringIO()
    call_command("setup", "--no-demo", stdout=out)
    assert first.sha256 in out.getvalue() and "self-signed" in out.getvalue()


def test_a_missing_or_unusable_font_is_a_clear_error(settings):
    settings.EXPEDITE_PDF_FONT = "/nonexistent/font.ttf"
    with pytest.raises(FontMissing, match="EXPEDITE_PDF_FONT"):
        cjk_font()
    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if noto.is_file():  # CFF outlines: ReportLab cannot embed them
        settings.EXPEDITE_PDF_FONT = str(noto)
        with pytest.raises(FontMissing, match="TrueType"):
            cjk_font()
