"""The platform's own certificate authority, which issues the organisations' signing certificates.

Why a private CA: the platform signs conventions on behalf of organisations whose signatories
authenticated in the application; what a signature must prove is "this document left the platform
in this state, approved by this organisation". A private CA gives exactly that, without a
qualified trust service provider (see docs/signature.md for what it does not prove).

Two levels, as in any production PKI:

- the **root CA** (``ca/root-ca.*``, ~10 years) only signs the issuing CA; its private key is
  needed by ``pki_init`` alone and can be taken offline afterwards;
- the **issuing CA** (``ca/issuing-ca.*``, ~5 years) issues one certificate per organisation
  (``organisations/<id>/``, ~3 years, renewed automatically).

Old roots are kept in ``ca/retired/`` and stay trusted, so that documents signed before a
rotation still verify. Every private key is written with mode 0600, encrypted when the
environment variable ``PKI_CA_PASSPHRASE`` is set. All writes happen under an exclusive file
lock and through atomic renames, because several Celery workers may issue concurrently.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PLATFORM_NAME = "Flux réservations"
ROOT_CN = f"{PLATFORM_NAME} – AC racine"
ISSUING_CN = f"{PLATFORM_NAME} – AC de signature des documents"

ROOT_VALIDITY = dt.timedelta(days=3653)
ISSUING_VALIDITY = dt.timedelta(days=1827)
ORGANISATION_VALIDITY = dt.timedelta(days=1096)
# An organisation certificate is replaced this long before it expires, so that nobody signs
# with a certificate about to lapse; the issuing CA is renewed by pki_init a year ahead.
ORGANISATION_RENEW_BEFORE = dt.timedelta(days=30)
ISSUING_RENEW_BEFORE = dt.timedelta(days=365)
# Backdating notBefore a little tolerates clocks of workers that drift slightly.
CLOCK_SKEW = dt.timedelta(minutes=5)

# RFC 9336 id-kp-documentSigning: the certificate signs documents, not TLS or e-mail.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
PASSPHRASE_ENV = "PKI_CA_PASSPHRASE"
SIREN_RE = re.compile(r"^\d{9}$")


class PkiError(ImproperlyConfigured):
    """The PKI is missing, incomplete or unusable: an operator must act (French message)."""


class SigningIdentity(NamedTuple):
    """What a signer needs: the organisation's key, its certificate, and the CA chain above it."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate]  # issuing CA first, then the root


class CaStatus(NamedTuple):
    root: x509.Certificate
    issuing: x509.Certificate
    root_key_present: bool
    created: list[str]  # what this call created or renewed, in French, for the command output


# --- Paths, files, lock --------------------------------------------------------------------


def pki_dir() -> Path:
    return Path(settings.PKI_DIR)


def _ca_dir() -> Path:
    return pki_dir() / "ca"


def _paths(name: str) -> tuple[Path, Path]:
    return _ca_dir() / f"{name}.key.pem", _ca_dir() / f"{name}.cert.pem"


def _organisation_dir(organisation_id: int) -> Path:
    if not isinstance(organisation_id, int) or isinstance(organisation_id, bool) or organisation_id <= 0:
        raise ValueError(f"Identifiant d'organisation invalide : {organisation_id!r}.")
    return pki_dir() / "organisations" / str(organisation_id)


@contextmanager
def _locked() -> Iterator[None]:
    """Serialise every write to PKI_DIR across threads and processes (Celery workers, web)."""
    root = pki_dir()
    if not root.exists():
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(root / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write to a temporary file in the same directory, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV, "")
    return value.encode() if value else None


def passphrase_set() -> bool:
    return _passphrase() is not None


def _key_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    secret = _passphrase()
    encryption = serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    data = path.read_bytes()
    secret = _passphrase()
    try:
        key = serialization.load_pem_private_key(data, password=secret)
    except TypeError as exc:
        # Either the key is encrypted and no passphrase is set, or a passphrase is set for a
        # key written before it was: the latter is harmless, the former needs the operator.
        if secret is None:
            raise PkiError(
                f"La clé privée {path} est protégée par une phrase secrète : définissez {PASSPHRASE_ENV}."
            ) from exc
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise PkiError(f"Impossible de lire la clé privée {path} (phrase secrète {PASSPHRASE_ENV} erronée ?).") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PkiError(f"La clé privée {path} n'est pas une clé ECDSA.")
    return key


def _load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _cert_bytes(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


# --- Certificate construction ----------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fit(text: str, limit: int) -> str:
    """RFC 5280 caps the common name at 64 (UTF-8 bytes for cryptography): cut with an ellipsis.

    The full organisation name stays in O, which has no such cap in practice.
    """
    if len(text.encode()) <= limit:
        return text
    while len((text + "…").encode()) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _name(common_name: str, organisation: str, identifier: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:128]),
    ]
    if identifier:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, identifier))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name, 64)))
    return x509.Name(attributes)


def _builder(subject: x509.Name, issuer: x509.Name, public_key, not_after: dt.datetime) -> x509.CertificateBuilder:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _aki(issuer_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _make_root() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(ROOT_CN, PLATFORM_NAME)
    cert = (
        _builder(name, name, key.public_key(), _now() + ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_issuing(
    root_key: ec.EllipticCurvePrivateKey, root: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = min(_now() + ISSUING_VALIDITY, root.not_valid_after_utc)
    cert = (
        _builder(_name(ISSUING_CN, PLATFORM_NAME), root.subject, key.public_key(), not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(_aki(root), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return key, cert


def _organisation_subject(organisation_name: str, siren: str) -> x509.Name:
    name = " ".join(organisation_name.split())
    if not name:
        raise ValueError("Le nom de l'organisation est obligatoire pour émettre son certificat.")
    siren = siren.replace(" ", "")
    if siren and not SIREN_RE.match(siren):
        raise ValueError(f"SIREN invalide : « {siren} » (9 chiffres attendus).")
    # ETSI EN 319 412-1 semantics for legal persons: NTR (national trade register), country, number.
    return _name(name, name, f"NTRFR-{siren}" if siren else "")


def _make_organisation_cert(
    subject: x509.Name, issuing_key: ec.EllipticCurvePrivateKey, issuing: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = min(_now() + ORGANISATION_VALIDITY, issuing.not_valid_after_utc)
    cert = (
        _builder(subject, issuing.subject, key.public_key(), not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU]), critical=False)
        .add_extension(_aki(issuing), critical=False)
        .sign(issuing_key, hashes.SHA256())
    )
    return key, cert


# --- Public API -----------------------------------------------------------------------------


def ca_exists() -> bool:
    return _paths("root-ca")[1].exists() and all(p.exists() for p in _paths("issuing-ca"))


def _retire(stamp: str) -> None:
    """Keep the old root certificate (still trusted for old documents); destroy the old keys."""
    retired = _ca_dir() / "retired"
    retired.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in ("root-ca", "issuing-ca"):
        key_path, cert_path = _paths(name)
        if cert_path.exists():
            os.replace(cert_path, retired / f"{stamp}-{name}.cert.pem")
        key_path.unlink(missing_ok=True)


def ensure_ca(*, force: bool = False) -> CaStatus:
    """Create the root and issuing CAs if missing (or renew the issuing CA when it nears its end).

    Idempotent: a second call changes nothing. ``force`` retires the current CAs (their root
    certificate stays trusted for verification) and creates new ones; the organisations then
    get new certificates on their next signature.
    """
    created: list[str] = []
    with _locked():
        root_key_path, root_cert_path = _paths("root-ca")
        issuing_key_path, issuing_cert_path = _paths("issuing-ca")
        if force and root_cert_path.exists():
            stamp = _now().strftime("%Y%m%dT%H%M%S")
            _retire(stamp)
            created.append(f"anciennes AC retirées (certificats conservés dans ca/retired/{stamp}-*)")
        if not root_cert_path.exists():
            root_key, root = _make_root()
            _write_atomic(root_key_path, _key_bytes(root_key), 0o600)
            _write_atomic(root_cert_path, _cert_bytes(root), 0o644)
            issuing_cert_path.unlink(missing_ok=True)
            created.append("AC racine créée")
        root = _load_cert(root_cert_path)
        issuing = _load_cert(issuing_cert_path) if issuing_cert_path.exists() else None
        expiring = issuing is not None and issuing.not_valid_after_utc - _now() < ISSUING_RENEW_BEFORE
        if issuing is None or expiring or not issuing_key_path.exists():
            if not root_key_path.exists():
                raise PkiError(
                    f"L'AC de signature doit être (re)créée mais la clé de l'AC racine est absente de "
                    f"{root_key_path} : remettez-la en place le temps de lancer pki_init."
                )
            issuing_key, issuing = _make_issuing(_load_key(root_key_path), root)
            _write_atomic(issuing_key_path, _key_bytes(issuing_key), 0o600)
            _write_atomic(issuing_cert_path, _cert_bytes(issuing), 0o644)
            created.append("AC de signature créée")
        return CaStatus(root, issuing, root_key_path.exists(), created)


def _load_issuing() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate, x509.Certificate]:
    if not ca_exists():
        raise PkiError(
            f"L'autorité de certification de la plateforme n'est pas initialisée dans {pki_dir()} : "
            "lancez « python manage.py pki_init »."
        )
    issuing_key_path, issuing_cert_path = _paths("issuing-ca")
    issuing = _load_cert(issuing_cert_path)
    if issuing.not_valid_after_utc <= _now():
        raise PkiError("L'AC de signature de la plateforme a expiré : lancez « python manage.py pki_init ».")
    return _load_key(issuing_key_path), issuing, _load_cert(_paths("root-ca")[1])


def _still_usable(
    key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, subject: x509.Name, issuing: x509.Certificate
) -> bool:
    """A stored certificate is reused only if it is current, matches the organisation and the CA."""
    if cert.not_valid_after_utc - _now() < ORGANISATION_RENEW_BEFORE:
        return False
    if cert.subject != subject or cert.issuer != issuing.subject:
        return False  # renamed organisation, new SIREN, or a rotated CA
    try:
        cert.verify_directly_issued_by(issuing)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return cert.public_key() == key.public_key()


def organisation_certificate(organisation_id: int, organisation_name: str, siren: str = "") -> SigningIdentity:
    """The organisation's signing identity, issued on first use and renewed when needed.

    Renewal happens when the certificate nears expiry, when the organisation's name or SIREN
    changed (a merger or a new legal name must show on new signatures), or after a CA rotation.
    The previous certificate is archived next to the new one.
    """
    subject = _organisation_subject(organisation_name, siren)
    folder = _organisation_dir(organisation_id)
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    with _locked():
        issuing_key, issuing, root = _load_issuing()
        if key_path.exists() and cert_path.exists():
            key, cert = _load_key(key_path), _load_cert(cert_path)
            if _still_usable(key, cert, subject, issuing):
                return SigningIdentity(key, cert, [issuing, root])
            archive = folder / "archive"
            archive.mkdir(exist_ok=True, mode=0o700)
            os.replace(cert_path, archive / f"{cert.serial_number:x}.cert.pem")
        key, cert = _make_organisation_cert(subject, issuing_key, issuing)
        _write_atomic(key_path, _key_bytes(key), 0o600)
        _write_atomic(cert_path, _cert_bytes(cert), 0o644)
        return SigningIdentity(key, cert, [issuing, root])


def trust_roots() -> list[x509.Certificate]:
    """Roots a platform signature must chain to: the current root and the retired ones."""
    root_cert_path = _paths("root-ca")[1]
    if not root_cert_path.exists():
        raise PkiError(
            f"L'autorité de certification de la plateforme n'est pas initialisée dans {pki_dir()} : "
            "lancez « python manage.py pki_init »."
        )
    roots = [_load_cert(root_cert_path)]
    retired = _ca_dir() / "retired"
    if retired.is_dir():
        roots.extend(_load_cert(path) for path in sorted(retired.glob("*-root-ca.cert.pem")))
    return roots


def issuing_certificates() -> list[x509.Certificate]:
    """Current and retired issuing CA certificates, to help path building during validation."""
    found = []
    current = _paths("issuing-ca")[1]
    if current.exists():
        found.append(_load_cert(current))
    retired = _ca_dir() / "retired"
    if retired.is_dir():
        found.extend(_load_cert(path) for path in sorted(retired.glob("*-issuing-ca.cert.pem")))
    return found
