"""PAdES signatures of platform documents, with the organisations' certificates (conventions/pki.py).

Profile: PAdES B-B (``ETSI.CAdES.detached``, SHA-256, ECDSA P-256). No time-stamping authority
is reachable from the platform, so there is no B-T: the signing time is the one the platform
declares (see docs/signature.md). Each signature is an incremental update, so earlier
signatures stay valid. The first one certifies the document (DocMDP level 2: only form filling
and signing allowed afterwards) and creates the empty signature fields of every party declared
by the document, at the positions of core/pdf/slots.py; later signatures fill those fields,
which DocMDP level 2 allows. Any other change made afterwards (annotation, new page content,
edited metadata) shows up in verify_pdf (conventions/pdfverify.py).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from conventions import pki
from conventions.pdfverify import (
    Verdict,
    VerificationResult,
    format_paris,
    outside_event_loop,
    to_asn1,
    verify_pdf,
)
from core.pdf import INFO_REFERENCE, INFO_SLOTS, SIGNATURE_SLOTS

STAMP_FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSansCondensed.ttf"
STAMP_FONT_SIZE = 9
STAMP_LINE_WIDTH = 44  # characters per line of the visible stamp, for an 82 mm wide box


class SignatureRefused(ValueError):
    """The document cannot be signed as asked (French message, shown to the user)."""


def signature_mention(*, signer_name: str, signer_function: str, organisation_name: str, when: dt.datetime) -> str:
    """The sentence of the visible stamp, wrapped to the width of a signature box."""
    sentence = (
        f"Signé électroniquement par {signer_name}, {signer_function}, {organisation_name}, {format_paris(when)}"
        if signer_function
        else f"Signé électroniquement par {signer_name}, {organisation_name}, {format_paris(when)}"
    )
    lines = textwrap.wrap(sentence, STAMP_LINE_WIDTH, break_on_hyphens=False)
    lines += ["", "Signature PAdES, certificat délivré par", f"l'AC de la plateforme {pki.PLATFORM_NAME}"]
    return "\n".join(lines)


def _signer(identity: pki.SigningIdentity) -> signers.SimpleSigner:
    key_der = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=to_asn1(identity.cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in identity.chain]),
    )


# Latin scripts, punctuation, currency and a few symbols: every French name, and most European ones.
STAMP_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    *range(0x20A0, 0x20C0),
    0x2116,
    0x2122,
    0x2713,
    0x2714,
]


@lru_cache(maxsize=1)
def stamp_font_bytes() -> bytes:
    """DejaVu Sans Condensed, reduced to Latin and rescaled to 1000 units per em, built once per process.

    Why rescale: pyHanko's glyph accumulator writes glyph widths in font units as if the em
    were 1000 units; DejaVu's is 2048, which spreads the letters of the stamp apart. Why
    subset: every signature parses the font again, and the Latin part is a third of it.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(STAMP_FONT)
    options = subset.Options()
    options.layout_features = ["kern", "liga", "ccmp", "locl", "mark", "mkmk"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=STAMP_UNICODES)
    subsetter.subset(font)
    scale_upem(font, 1000)
    buffer = BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _stamp_style() -> TextStampStyle:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory  # needs uharfbuzz

    class StampFontFactory(GlyphAccumulatorFactory):
        """The prepared font from memory (pyHanko's factory opens a file and never closes it)."""

        def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer, font_handle=BytesIO(stamp_font_bytes()), font_size=self.font_size, obj_stream=obj_stream
            )

    # The engine's font size must equal the text box's, or lines drift sideways (pyHanko #733).
    font = StampFontFactory(font_file=str(STAMP_FONT), font_size=STAMP_FONT_SIZE)
    return TextStampStyle(
        stamp_text="%(mention)s",
        text_box_style=TextBoxStyle(font=font, font_size=STAMP_FONT_SIZE, leading=STAMP_FONT_SIZE + 2),
        border_width=0,  # the frame is the template's (static/css/pdf.css), signed or not
        background=None,
    )


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is chosen by the caller (the stamp must show that same time)."""

    def __init__(self, *args, signing_time: dt.datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _info_text(writer: IncrementalPdfFileWriter, key: str) -> str:
    try:
        info = writer.prev.trailer["/Info"]
        value = info.get(f"/{key}")
    except (KeyError, PdfError):
        return ""
    return str(value) if value is not None else ""


def declared_slots(declared: str) -> list[str]:
    """The parties a document expects signatures from, as written by render_pdf (known slots only)."""
    return [name for name in declared.split(",") if name in SIGNATURE_SLOTS]


def _existing_signature_fields(writer: IncrementalPdfFileWriter) -> dict[str, bool]:
    """Signature field name → already signed?"""
    found: dict[str, bool] = {}
    for name, value, _ref in fields.enumerate_sig_fields(writer.prev, filled_status=None):
        found[name] = value is not None
    return found


def sign_pdf(
    pdf_bytes: bytes,
    *,
    slot: str,
    organisation_id: int,
    organisation_name: str,
    signer_name: str,
    signer_function: str,
    reason: str,
    location: str = "",
    siren: str = "",
    when: dt.datetime | None = None,
) -> bytes:
    """Sign a platform PDF for one party (``slot``: "bailleur" or "reservataire"), incrementally.

    The caller has checked the signatory's rights and re-authenticated them (REAUTH_MAX_AGE);
    this function only applies the organisation's signature and its visible stamp. It refuses
    documents the platform did not render, slots the document does not declare, and a slot
    already signed.
    """
    if slot not in SIGNATURE_SLOTS:
        raise SignatureRefused(f"Emplacement de signature inconnu : « {slot} ».")
    if not signer_name.strip():
        raise SignatureRefused("Le nom du signataire est obligatoire.")
    now = timezone.now()
    when = when or now
    if timezone.is_naive(when):
        raise ValueError("L'heure de signature doit comporter un fuseau horaire.")
    if when > now + pki.CLOCK_SKEW:
        raise SignatureRefused("L'heure de signature ne peut pas être dans le futur.")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SignatureRefused("Le fichier à signer n'est pas un PDF lisible.") from exc
    if writer.prev.encrypted:
        raise SignatureRefused("Un PDF chiffré ne peut pas être signé.")
    if not _info_text(writer, INFO_REFERENCE):
        raise SignatureRefused("Seuls les documents produits par la plateforme peuvent être signés.")
    declared = declared_slots(_info_text(writer, INFO_SLOTS))
    if slot not in declared:
        raise SignatureRefused(f"Ce document ne prévoit pas de signature « {SIGNATURE_SLOTS[slot].label} ».")

    existing = _existing_signature_fields(writer)
    target = SIGNATURE_SLOTS[slot]
    if existing.get(target.field_name):
        raise SignatureRefused(f"Ce document porte déjà la signature « {target.label} ».")
    first = not any(existing.values())

    identity = pki.organisation_certificate(organisation_id, organisation_name, siren)
    if not identity.cert.not_valid_before_utc <= when <= identity.cert.not_valid_after_utc:
        raise SignatureRefused("L'heure de signature est hors de la période de validité du certificat.")

    if first:
        # Create every party's empty field in the certified revision, so that later signers only
        # fill an existing field (allowed by DocMDP level 2) instead of adding one.
        media_box = writer.find_page_for_modification(-1)[0].get_object()["/MediaBox"]
        page_height = float(media_box[3]) - float(media_box[1])
        for name in declared:
            spec = SIGNATURE_SLOTS[name]
            if spec.field_name not in existing:
                fields.append_signature_field(
                    writer,
                    fields.SigFieldSpec(sig_field_name=spec.field_name, on_page=-1, box=spec.pdf_box(page_height)),
                )
    elif target.field_name not in existing:
        raise SignatureRefused("Le champ de signature de cet emplacement est absent du document.")

    metadata = signers.PdfSignatureMetadata(
        field_name=target.field_name,
        name=signer_name,
        reason=reason or None,
        location=location or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=first,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    pdf_signer = _TimedPdfSigner(metadata, signer=_signer(identity), stamp_style=_stamp_style(), signing_time=when)
    mention = signature_mention(
        signer_name=signer_name, signer_function=signer_function, organisation_name=organisation_name, when=when
    )
    output = outside_event_loop(
        pdf_signer.sign_pdf, writer, existing_fields_only=True, appearance_text_params={"mention": mention}
    )
    return output.getvalue()


def signed_slots(pdf_bytes: bytes) -> list[str]:
    """Slots already signed in a platform PDF (to show who still has to sign)."""
    reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
    by_field = {spec.field_name: name for name, spec in SIGNATURE_SLOTS.items()}
    return [
        by_field[name]
        for name, value, _ref in fields.enumerate_sig_fields(reader, filled_status=True)
        if name in by_field and value is not None
    ]


# verify_pdf lives in conventions/pdfverify.py (file size); importing it from here is fine too.
__all__ = [
    "SignatureRefused",
    "VerificationResult",
    "Verdict",
    "sign_pdf",
    "signature_mention",
    "signed_slots",
    "verify_pdf",
]
