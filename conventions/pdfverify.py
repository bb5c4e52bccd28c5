"""Verification of a PDF against the platform: is it ours, who signed it, was it changed since?

Used by the public verification page, where anyone may upload anything: every failure on the
input becomes a French verdict, never an exception. Only a server-side problem (the platform
CA missing) raises, because an operator has to fix it.

Certificates are validated at the signing time the signature declares: PAdES B-B carries no
trusted time-stamp, and the keys never leave the platform, so the declared time is the
platform's own clock. This keeps signatures valid after an organisation certificate expires
or is renewed (see docs/signature.md, "Ce que la signature prouve").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from typing import TypeVar
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from conventions import pki
from core.pdf import INFO_KIND, INFO_REFERENCE, INFO_SLOTS, SIGNATURE_SLOTS

logger = logging.getLogger(__name__)
T = TypeVar("T")

PARIS = ZoneInfo("Europe/Paris")
MAX_BYTES = 30 * 1024 * 1024
# pyHanko's diff policy accepts any change of the Info dictionary (it is mere metadata for
# PDF); for us it carries the document's identity, so a change after signing is a modification.
PROTECTED_INFO = ("/Title", "/Subject", "/Author", f"/{INFO_REFERENCE}", f"/{INFO_KIND}", f"/{INFO_SLOTS}")
ALLOWED_LEVELS = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


def outside_event_loop(function: Callable[..., T], *args, **kwargs) -> T:
    """Call one of pyHanko's synchronous wrappers, even from a thread where an event loop runs.

    Those wrappers call asyncio.run(), which refuses to start inside a running loop (ASGI
    request, Playwright's sync API in the test session): there, the call runs in a
    short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(function, *args, **kwargs).result()


def format_paris(when: dt.datetime) -> str:
    """« le 03/12/2026 à 14:05 »: the date and time as a French reader expects them (Europe/Paris)."""
    local = when.astimezone(PARIS)
    return f"le {local:%d/%m/%Y} à {local:%H:%M}"


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class Verdict(enum.StrEnum):
    AUTHENTIQUE = "authentique"
    MODIFIE = "modifie"  # changed after a signature, in a way the signature does not allow
    ALTERE = "altere"  # the signed bytes themselves were changed: a signature is broken
    NON_PLATEFORME = "non_plateforme"  # signed, but not with a certificate of the platform CA
    NON_SIGNE = "non_signe"
    ILLISIBLE = "illisible"


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    slot: str  # "bailleur", "reservataire", or "" for a field the platform did not create
    signer_name: str  # /Name of the signature dictionary: the person who signed
    organisation: str  # O of the certificate
    siren: str
    certificate_subject: str
    certificate_issuer: str
    signing_time: dt.datetime | None
    reason: str
    location: str
    certifying: bool  # the first signature certifies the document (DocMDP)
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature over them is correct
    trusted: bool  # the certificate chains to the platform CA
    modified_after: bool  # a later change this signature does not allow
    coverage: str  # French sentence on what happened after this signature

    @property
    def who(self) -> str:
        if self.signer_name and self.organisation:
            return f"{self.signer_name} ({self.organisation})"
        return self.signer_name or self.organisation or self.field_name


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    message: str
    sha256: str
    size: int
    is_pdf: bool
    reference: str = ""
    kind: str = ""
    title: str = ""
    signatures: tuple[SignatureInfo, ...] = field(default_factory=tuple)
    pending_slots: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.AUTHENTIQUE

    @property
    def is_platform_document(self) -> bool:
        return bool(self.reference)


def _attribute(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _text(dictionary, key: str) -> str:
    try:
        value = dictionary.get(key)
    except Exception:  # a broken reference in an uploaded file is not our error
        return ""
    return str(value) if value is not None else ""


def _info(handler, trailer) -> dict[str, str]:
    """The platform-relevant entries of the Info dictionary, as a given revision saw them."""
    try:
        raw = trailer.raw_get("/Info")
        info = handler.get_object(raw.reference) if isinstance(raw, generic.IndirectObject) else raw
    except Exception:  # no /Info, or a broken reference: nothing to read
        return {}
    return {key: _text(info, key) for key in PROTECTED_INFO}


def _coverage(status, emb: EmbeddedPdfSignature, later_signed: set[int], total: int) -> tuple[bool, str]:
    """(modified in a way not allowed, French description) for one signature."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False, "Aucune modification depuis cette signature."
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return True, "La signature ne couvre pas l'ensemble de la révision signée du document."
    level = status.modification_level
    if level in ALLOWED_LEVELS and status.docmdp_ok:
        if set(range(emb.signed_revision + 1, total)) <= later_signed:
            return False, "Modifications autorisées depuis cette signature : ajout de signature."
        if level == ModificationLevel.FORM_FILLING:
            return False, "Modifications autorisées depuis cette signature : remplissage de champs de signature."
        return False, "Modifications autorisées depuis cette signature : informations de validation."
    if level == ModificationLevel.ANNOTATIONS:
        return True, "Modifié après cette signature : des annotations ont été ajoutées."
    return True, "Modifié après cette signature : le contenu ou la structure du document a changé."


def _validation_context(moment: dt.datetime) -> ValidationContext:
    return ValidationContext(
        trust_roots=[to_asn1(cert) for cert in pki.trust_roots()],
        other_certs=[to_asn1(cert) for cert in pki.issuing_certificates()],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def _check(emb: EmbeddedPdfSignature, later_signed: set[int], total: int, current_info: dict) -> SignatureInfo:
    by_field = {spec.field_name: name for name, spec in SIGNATURE_SLOTS.items()}
    sig = emb.sig_object
    cert = x509.load_der_x509_certificate(emb.signer_cert.dump())
    claimed = emb.self_reported_timestamp
    now = timezone.now()
    context = _validation_context(min(claimed or now, now))
    status = outside_event_loop(validate_pdf_signature, emb, signer_validation_context=context)
    modified_after, coverage = _coverage(status, emb, later_signed, total)
    signed_view = emb.reader.get_historical_resolver(emb.signed_revision)
    if not modified_after and _info(signed_view, signed_view.trailer_view) != current_info:
        modified_after = True
        coverage = "Modifié après cette signature : les métadonnées du document (référence, titre) ont changé."
    identifier = _attribute(cert.subject, NameOID.ORGANIZATION_IDENTIFIER)
    return SignatureInfo(
        field_name=emb.field_name or "",
        slot=by_field.get(emb.field_name or "", ""),
        signer_name=_text(sig, "/Name"),
        organisation=_attribute(cert.subject, NameOID.ORGANIZATION_NAME),
        siren=identifier.removeprefix("NTRFR-") if identifier.startswith("NTRFR-") else "",
        certificate_subject=cert.subject.rfc4514_string(),
        certificate_issuer=cert.issuer.rfc4514_string(),
        signing_time=status.signer_reported_dt or claimed,
        reason=_text(sig, "/Reason"),
        location=_text(sig, "/Location"),
        certifying=emb.docmdp_level is not None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted) and bool(claimed) and claimed <= now + pki.CLOCK_SKEW,
        modified_after=modified_after,
        coverage=coverage,
    )


def _broken(emb: EmbeddedPdfSignature) -> SignatureInfo:
    """A signature pyHanko cannot even evaluate: reported as altered, with what can be read."""
    return SignatureInfo(
        field_name=emb.field_name or "",
        slot="",
        signer_name=_text(emb.sig_object, "/Name"),
        organisation="",
        siren="",
        certificate_subject="",
        certificate_issuer="",
        signing_time=None,
        reason="",
        location="",
        certifying=False,
        intact=False,
        valid=False,
        trusted=False,
        modified_after=True,
        coverage="Signature illisible ou endommagée.",
    )


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _verdict(signatures: list[SignatureInfo], reference: str, pending: list[str]) -> tuple[Verdict, str]:
    if not signatures:
        if reference:
            return Verdict.NON_SIGNE, (
                f"Ce document porte la référence {reference} de la plateforme mais n'est pas signé "
                "électroniquement : son contenu n'est pas garanti."
            )
        return Verdict.NON_SIGNE, "Ce document ne porte aucune signature électronique."
    broken = [s for s in signatures if not (s.intact and s.valid)]
    if broken:
        return Verdict.ALTERE, (
            f"ATTENTION : le contenu signé par {_join([s.who for s in broken])} a été altéré ; "
            "la signature n'est plus valide."
        )
    modified = [s for s in signatures if s.modified_after]
    if modified:
        return Verdict.MODIFIE, f"ATTENTION : le document a été modifié après la signature de {modified[0].who}."
    foreign = [s for s in signatures if not s.trusted]
    if foreign or not reference:
        who = _join([s.who for s in foreign]) if foreign else _join([s.who for s in signatures])
        return Verdict.NON_PLATEFORME, (
            f"Signature non émise par la plateforme : le certificat de {who} n'a pas été délivré par "
            f"l'autorité de certification {pki.PLATFORM_NAME}."
            if foreign
            else f"Document inconnu de la plateforme : il ne porte pas de référence {pki.PLATFORM_NAME}."
        )
    signed = " et par ".join(f"{s.who} {format_paris(s.signing_time)}" if s.signing_time else s.who for s in signatures)
    last = signatures[-1]
    tail = (
        "aucune modification depuis la dernière signature."
        if last.coverage == "Aucune modification depuis cette signature."
        else "seules des modifications autorisées ont été apportées depuis la dernière signature."
    )
    message = f"Document authentique, signé par {signed} ; {tail}"
    if pending:
        labels = [SIGNATURE_SLOTS[name].label.lower() for name in pending]
        message += f" Signature encore attendue : {_join(labels)}."
    return Verdict.AUTHENTIQUE, message


def _refuse(message: str, data: bytes, is_pdf: bool = False) -> VerificationResult:
    return VerificationResult(Verdict.ILLISIBLE, message, hashlib.sha256(data).hexdigest(), len(data), is_pdf)


def verify_pdf(pdf_bytes: bytes) -> VerificationResult:
    """Check an uploaded PDF: platform metadata, every signature, and what changed since each one."""
    data = bytes(pdf_bytes or b"")
    if not data:
        return _refuse("Le fichier est vide.", data)
    if len(data) > MAX_BYTES:
        return _refuse(f"Le fichier dépasse la taille maximale acceptée ({MAX_BYTES // (1024 * 1024)} Mo).", data)
    if b"%PDF-" not in data[:1024]:
        return _refuse("Ce fichier n'est pas un document PDF.", data)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            return _refuse("Ce PDF est chiffré : il ne peut pas être vérifié.", data, is_pdf=True)
        info = _info(reader, reader.trailer)
        reference, kind, title = (
            info.get(f"/{INFO_REFERENCE}", ""),
            info.get(f"/{INFO_KIND}", ""),
            info.get("/Title", ""),
        )
        declared = [name for name in info.get(f"/{INFO_SLOTS}", "").split(",") if name in SIGNATURE_SLOTS]
        embedded = sorted(reader.embedded_regular_signatures, key=lambda emb: emb.signed_revision)
        total = reader.xrefs.total_revisions
    except pki.PkiError:
        raise
    except Exception:  # any parser failure on an upload is a verdict, not a crash
        logger.info("PDF illisible à la vérification", exc_info=True)
        return _refuse("Ce fichier PDF est illisible ou endommagé.", data, is_pdf=True)

    revisions = {emb.signed_revision for emb in embedded}
    signatures: list[SignatureInfo] = []
    for emb in embedded:
        try:
            signatures.append(_check(emb, revisions - {emb.signed_revision}, total, info))
        except pki.PkiError:
            raise
        except Exception:  # same: a broken signature is a verdict
            logger.info("Signature illisible à la vérification", exc_info=True)
            signatures.append(_broken(emb))
    pending = [name for name in declared if name not in {s.slot for s in signatures}]
    verdict, message = _verdict(signatures, reference, pending)
    return VerificationResult(
        verdict=verdict,
        message=message,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        is_pdf=True,
        reference=reference,
        kind=kind,
        title=title,
        signatures=tuple(signatures),
        pending_slots=tuple(pending),
    )
