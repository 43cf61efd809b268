"""The firm's signing certificate: a configured PKCS#12, or a self-signed one made at set-up.

`EXPEDITE_SIGNING_P12` (+ `EXPEDITE_SIGNING_P12_PASSWORD`) names a certificate the firm bought
from a CA. Without it, `ensure_firm_certificate()` (run by `expedite setup`, and on first
use) creates `var/signing/firm.p12` once: the file is created with O_EXCL semantics, so two
processes starting together end up with the same key, never with one each.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from expedite import clock

GENERATED_NAME = "firm.p12"
VALID_YEARS = 10


class CertificateProblem(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class FirmCertificate:
    path: Path
    subject: str
    sha256: str  # fingerprint of the certificate's DER
    self_signed: bool
    not_after: dt.datetime
    der: bytes


def generated_path() -> Path:
    return Path(settings.EXPEDITE_SIGNING_DIR) / GENERATED_NAME


def _configured() -> tuple[Path, bytes | None]:
    if settings.EXPEDITE_SIGNING_P12:
        password = settings.EXPEDITE_SIGNING_P12_PASSWORD
        return Path(settings.EXPEDITE_SIGNING_P12), password.encode() if password else None
    return generated_path(), None


def _self_signed_p12(firm: str) -> bytes:
    # The signing stack loads only when a document is signed or checked.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, firm),
            # The firm's name only: whether it is self-signed is shown in the reader's language.
            x509.NameAttribute(NameOID.COMMON_NAME, firm),
        ]
    )
    now = clock.now()
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        firm.encode(), key, cert, None, serialization.NoEncryption()
    )


def ensure_firm_certificate() -> tuple[Path, bool]:
    """The signing certificate's path, and whether it was created just now."""
    path, _password = _configured()
    if settings.EXPEDITE_SIGNING_P12:
        if not path.is_file():
            raise CertificateProblem(
                f"EXPEDITE_SIGNING_P12={path} 不存在：请指向本所的 PKCS#12 签章证书（.p12/.pfx）。"
            )
        return path, False
    if path.is_file():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".firm-", suffix=".p12")
    try:
        os.write(fd, _self_signed_p12(settings.EXPEDITE_FIRM_NAME))
        os.close(fd)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another process got there first: keep theirs
        except FileExistsError:
            return path, False
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path, True


def _load():
    ensure_firm_certificate()
    path, password = _configured()
    return _load_file(path, path.stat().st_mtime_ns, password)


@lru_cache(maxsize=4)
def _load_file(path: Path, mtime: int, password: bytes | None):
    """Read once per file version: loading an RSA key checks it, which takes a while."""
    # The signing stack loads only when a document is signed or checked.
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except (ValueError, TypeError) as exc:
        raise CertificateProblem(
            f"无法读取签章证书 {path}：{exc}（口令见 EXPEDITE_SIGNING_P12_PASSWORD）。"
        ) from exc
    if key is None or cert is None:
        raise CertificateProblem(f"签章证书 {path} 中没有私钥或证书。")
    return path, password, key, cert, extra or []


def firm_certificate() -> FirmCertificate:
    # The signing stack loads only when a document is signed or checked.
    from cryptography.hazmat.primitives import hashes, serialization

    path, _password, _key, cert, _extra = _load()
    return FirmCertificate(
        path=path,
        subject=cert.subject.rfc4514_string(),
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        self_signed=cert.issuer == cert.subject,
        not_after=cert.not_valid_after_utc,
        der=cert.public_bytes(serialization.Encoding.DER),
    )


def firm_signer():
    """pyHanko's signer with the firm's key, certificate and any chain in the PKCS#12."""
    path, password, *_rest = _load()
    return _signer(path, path.stat().st_mtime_ns, password)


@lru_cache(maxsize=4)
def _signer(path: Path, mtime: int, password: bytes | None):
    # The signing stack loads only when a document is signed or checked.
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)
    if signer is None:
        raise CertificateProblem(f"签章证书 {path} 无法用于签名。")
    return signer


def self_signed_warning() -> bool:
    """True when signatures are (or will be) made with a self-signed certificate: shown on the
    staff pages. Never generates anything; a configured file is read once per change."""
    if not settings.EXPEDITE_SIGNING_P12:
        return True
    path = Path(settings.EXPEDITE_SIGNING_P12)
    try:
        return _configured_is_self_signed(str(path), path.stat().st_mtime_ns)
    except (OSError, ImproperlyConfigured):
        return True


@lru_cache(maxsize=4)
def _configured_is_self_signed(path: str, mtime: int) -> bool:
    return firm_certificate().self_signed
