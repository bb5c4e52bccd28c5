"""The platform CA: extensions, idempotence, permissions, passphrase, organisation certificates, concurrency."""

import asyncio
import datetime as dt
import stat
import threading

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from conventions import pki
from conventions.pdfverify import outside_event_loop


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _ext(cert: x509.Certificate, kind):
    return cert.extensions.get_extension_for_class(kind)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_root_ca_has_the_extensions_of_a_ca(ca):
    root = ca.root
    constraints = _ext(root, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 1
    usage = _ext(root, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign and not usage.value.digital_signature
    assert _ext(root, x509.SubjectKeyIdentifier).value.digest
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    lifetime = root.not_valid_after_utc - root.not_valid_before_utc
    assert dt.timedelta(days=3650) <= lifetime <= dt.timedelta(days=3660)
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Flux réservations – AC racine"


def test_the_issuing_ca_is_signed_by_the_root_and_cannot_issue_sub_cas(ca):
    issuing = ca.issuing
    issuing.verify_directly_issued_by(ca.root)
    constraints = _ext(issuing, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    assert _ext(issuing, x509.KeyUsage).value.key_cert_sign
    aki = _ext(issuing, x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == _ext(ca.root, x509.SubjectKeyIdentifier).value.digest
    assert issuing.not_valid_after_utc <= ca.root.not_valid_after_utc


def test_pki_init_creates_once_then_does_nothing(pki_dir, capsys):
    call_command("pki_init")
    first = capsys.readouterr().out
    assert "AC racine créée" in first and "AC de signature créée" in first
    root_bytes = (pki_dir / "ca" / "root-ca.cert.pem").read_bytes()
    issuing_bytes = (pki_dir / "ca" / "issuing-ca.cert.pem").read_bytes()

    call_command("pki_init")
    assert "rien à faire" in capsys.readouterr().out
    assert (pki_dir / "ca" / "root-ca.cert.pem").read_bytes() == root_bytes
    assert (pki_dir / "ca" / "issuing-ca.cert.pem").read_bytes() == issuing_bytes


def test_private_keys_are_readable_by_their_owner_only(ca, pki_dir):
    pki.organisation_certificate(7, "Habitat Alice")
    keys = [pki_dir / "ca" / "root-ca.key.pem", pki_dir / "ca" / "issuing-ca.key.pem"]
    keys.append(pki_dir / "organisations" / "7" / "key.pem")
    for key in keys:
        assert _mode(key) == 0o600, key
    assert _mode(pki_dir / "ca") == 0o700
    assert _mode(pki_dir / "ca" / "root-ca.cert.pem") == 0o644


def test_force_rotates_the_ca_and_keeps_trusting_the_old_root(ca, pki_dir, capsys):
    call_command("pki_init", "--force")
    assert "anciennes AC retirées" in capsys.readouterr().out
    new_root = pki.trust_roots()[0]
    assert new_root.serial_number != ca.root.serial_number
    assert ca.root.serial_number in {root.serial_number for root in pki.trust_roots()}
    assert not list((pki_dir / "ca" / "retired").glob("*.key.pem")), "les anciennes clés sont détruites"


def test_a_passphrase_encrypts_every_private_key(pki_dir, monkeypatch):
    monkeypatch.setenv(pki.PASSPHRASE_ENV, "une phrase secrète de test")
    pki.ensure_ca()
    pki.organisation_certificate(8, "Habitat Alice")
    for key in (pki_dir / "ca" / "root-ca.key.pem", pki_dir / "organisations" / "8" / "key.pem"):
        assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")

    monkeypatch.delenv(pki.PASSPHRASE_ENV)
    with pytest.raises(pki.PkiError, match="protégée par une phrase secrète : définissez PKI_CA_PASSPHRASE"):
        pki.organisation_certificate(8, "Habitat Alice")
    monkeypatch.setenv(pki.PASSPHRASE_ENV, "une autre phrase")
    with pytest.raises(pki.PkiError, match="phrase secrète PKI_CA_PASSPHRASE erronée"):
        pki.organisation_certificate(8, "Habitat Alice")


def test_an_organisation_certificate_chains_to_the_platform_ca(ca):
    identity = pki.organisation_certificate(42, "Nord Habitat Solidaire", "272 900 014")
    cert = identity.cert
    assert identity.chain == [ca.issuing, ca.root]
    cert.verify_directly_issued_by(ca.issuing)
    assert cert.public_key() == identity.key.public_key()

    subject = {attr.oid: attr.value for attr in cert.subject}
    assert subject[NameOID.ORGANIZATION_NAME] == "Nord Habitat Solidaire"
    assert subject[NameOID.COMMON_NAME] == "Nord Habitat Solidaire"
    assert subject[NameOID.ORGANIZATION_IDENTIFIER] == "NTRFR-272900014"
    usage = _ext(cert, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not _ext(cert, x509.BasicConstraints).value.ca
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == [pki.DOCUMENT_SIGNING_EKU]
    assert ExtendedKeyUsageOID.SERVER_AUTH not in _ext(cert, x509.ExtendedKeyUsage).value
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=1090) <= lifetime <= dt.timedelta(days=1100)

    context = ValidationContext(
        trust_roots=[to_asn1(ca.root)], other_certs=[to_asn1(ca.issuing)], revocation_mode="soft-fail"
    )
    validator = CertificateValidator(to_asn1(cert), validation_context=context)
    path = outside_event_loop(asyncio.run, validator.async_validate_usage({"digital_signature", "non_repudiation"}))
    assert len(path) == 3


def test_the_certificate_is_reused_then_renewed_when_the_organisation_changes_name(ca, pki_dir):
    first = pki.organisation_certificate(9, "Habitat Alice", "123456789")
    assert pki.organisation_certificate(9, "Habitat Alice", "123456789").cert.serial_number == first.cert.serial_number

    renamed = pki.organisation_certificate(9, "Habitat Alice et Associés", "123456789")
    assert renamed.cert.serial_number != first.cert.serial_number
    assert renamed.key.public_key() != first.key.public_key()
    archived = pki_dir / "organisations" / "9" / "archive" / f"{first.cert.serial_number:x}.cert.pem"
    assert x509.load_pem_x509_certificate(archived.read_bytes()) == first.cert


def test_an_expiring_certificate_is_renewed(ca, monkeypatch):
    first = pki.organisation_certificate(10, "Habitat Alice")
    later = dt.datetime.now(dt.UTC) + pki.ORGANISATION_VALIDITY - dt.timedelta(days=10)
    monkeypatch.setattr(pki, "_now", lambda: later)
    renewed = pki.organisation_certificate(10, "Habitat Alice")
    assert renewed.cert.serial_number != first.cert.serial_number
    assert renewed.cert.not_valid_after_utc > first.cert.not_valid_after_utc


def test_after_a_ca_rotation_organisations_get_a_certificate_of_the_new_ca(ca):
    before = pki.organisation_certificate(11, "Habitat Alice")
    status = pki.ensure_ca(force=True)
    after = pki.organisation_certificate(11, "Habitat Alice")
    assert after.cert.serial_number != before.cert.serial_number
    after.cert.verify_directly_issued_by(status.issuing)


def test_concurrent_first_uses_issue_a_single_certificate(ca):
    serials, errors = [], []

    def issue():
        try:
            serials.append(pki.organisation_certificate(12, "Habitat Concurrent").cert.serial_number)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(serials) == 8 and len(set(serials)) == 1


def test_using_the_pki_before_pki_init_says_what_to_do(pki_dir):
    with pytest.raises(pki.PkiError, match="lancez « python manage.py pki_init »"):
        pki.organisation_certificate(1, "Habitat Alice")
    with pytest.raises(pki.PkiError, match="n'est pas initialisée"):
        pki.trust_roots()


@pytest.mark.parametrize("siren", ["12345678", "1234567890", "12345678A"])
def test_an_invalid_siren_is_refused(ca, siren):
    with pytest.raises(ValueError, match="SIREN invalide"):
        pki.organisation_certificate(13, "Habitat Alice", siren)


def test_a_long_organisation_name_fits_the_common_name_limit(ca):
    name = "Office public de l'habitat de la Communauté d'agglomération du Grand Territoire de Démonstration"
    cert = pki.organisation_certificate(14, name).cert
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert len(common_name.encode()) <= 64 and common_name.endswith("…")
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == name
