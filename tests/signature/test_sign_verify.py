"""Signing platform PDFs and verifying them: one and two parties, tampering, later changes, foreign CAs, bad input."""

import asyncio
import datetime as dt
import hashlib
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from conventions import pdfverify, pki
from conventions.pdfsign import SignatureRefused, sign_pdf, signature_mention, signed_slots, verify_pdf
from conventions.pdfverify import Verdict, format_paris, outside_event_loop
from core.pdf import INFO_REFERENCE, SIGNATURE_SLOTS, render_pdf
from core.pdf.exemple import TEMPLATE, exemple_convention_context
from tests.signature.conftest import HELENE, JEAN, page_count, pdf_text


def _append_update(pdf: bytes, change) -> bytes:
    """Apply ``change(writer)`` as a plain incremental update (what a PDF editor would do)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_annotation(writer):
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    note = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
            generic.pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (100, 100, 120, 120)]),
            generic.pdf_name("/Contents"): generic.TextStringObject("Taux porté à 30 %"),
        }
    )
    page[generic.pdf_name("/Annots")] = generic.ArrayObject([writer.add_object(note)])
    writer.update_container(page)


def _draw_on_first_page(writer):
    stream = generic.StreamObject(stream_data=b"q 1 1 1 rg 70 600 300 80 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))


def _change_reference(writer):
    info = writer.trailer["/Info"]
    info[generic.pdf_name(f"/{INFO_REFERENCE}")] = generic.TextStringObject("FR-CONV-59-9999-v1")
    writer.update_container(info)


def test_one_signature_is_valid_and_waits_for_the_other_party(signed_once):
    result = verify_pdf(signed_once)
    assert result.verdict == Verdict.AUTHENTIQUE and result.ok
    assert result.reference == "FR-CONV-59-0001-v3" and result.kind == "convention"
    assert result.pending_slots == ("reservataire",)
    [signature] = result.signatures
    assert signature.slot == "bailleur" and signature.field_name == "signature_bailleur"
    assert signature.signer_name == "Hélène Martin"
    assert signature.organisation == "Nord Habitat Solidaire" and signature.siren == "272900014"
    assert "O=Nord Habitat Solidaire" in signature.certificate_subject
    assert "AC de signature des documents" in signature.certificate_issuer
    assert signature.intact and signature.valid and signature.trusted and signature.certifying
    assert not signature.modified_after
    assert signature.reason == HELENE["reason"] and signature.location == "Lille"
    assert result.message.startswith("Document authentique, signé par Hélène Martin (Nord Habitat Solidaire) le ")
    assert "aucune modification depuis la dernière signature." in result.message
    assert "Signature encore attendue : pour le réservataire." in result.message
    assert signed_slots(signed_once) == ["bailleur"]


def test_two_organisations_sign_and_both_signatures_stay_valid(signed_once, signed_twice):
    assert signed_twice.startswith(signed_once), "la seconde signature est une mise à jour incrémentale"
    result = verify_pdf(signed_twice)
    assert result.verdict == Verdict.AUTHENTIQUE
    first, second = result.signatures
    assert (first.organisation, second.organisation) == ("Nord Habitat Solidaire", "Action Logement Services")
    assert all(s.intact and s.valid and s.trusted and not s.modified_after for s in result.signatures)
    assert first.certifying and not second.certifying
    assert first.coverage == "Modifications autorisées depuis cette signature : ajout de signature."
    assert second.coverage == "Aucune modification depuis cette signature."
    assert result.pending_slots == ()
    assert "Hélène Martin (Nord Habitat Solidaire) le " in result.message
    assert "et par Jean-François Lefèvre (Action Logement Services) le " in result.message
    assert signed_slots(signed_twice) == ["bailleur", "reservataire"]


def test_the_reservataire_may_sign_first(ca, sample_pdf):
    result = verify_pdf(sign_pdf(sign_pdf(sample_pdf, **JEAN), **HELENE))
    assert result.verdict == Verdict.AUTHENTIQUE
    assert [s.slot for s in result.signatures] == ["reservataire", "bailleur"]


def test_the_visible_stamps_sit_in_their_slots_on_the_last_page(signed_twice):
    reader = PdfFileReader(BytesIO(signed_twice))
    pages = page_count(signed_twice)
    for name, value, field_ref in fields.enumerate_sig_fields(reader):
        slot = SIGNATURE_SLOTS[name.removeprefix("signature_")]
        widget = field_ref.get_object()
        rect = [float(x) for x in widget["/Rect"]]
        assert rect == pytest.approx(list(slot.pdf_box()), abs=1)
        assert widget["/P"].get_object() == reader.find_page_for_modification(pages - 1)[0].get_object()
        assert value is not None
    stamp_text = " ".join(pdf_text(signed_twice, pages, pages).split())
    assert "Signé électroniquement par Hélène Martin, Directrice générale, Nord Habitat Solidaire, le " in stamp_text
    assert "Signé électroniquement par Jean-François Lefèvre, Directeur régional Hauts-de-France" in stamp_text


def test_the_stamp_sentence_is_french_and_in_paris_time():
    when = dt.datetime(2026, 12, 3, 13, 5, tzinfo=dt.UTC)
    assert format_paris(when) == "le 03/12/2026 à 14:05"
    assert format_paris(dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)) == "le 02/07/2026 à 00:30"
    mention = signature_mention(
        signer_name="Hélène Martin",
        signer_function="Directrice générale",
        organisation_name="Nord Habitat Solidaire",
        when=when,
    )
    assert " ".join(mention.split("\n\n")[0].split()) == (
        "Signé électroniquement par Hélène Martin, Directrice générale, Nord Habitat Solidaire, le 03/12/2026 à 14:05"
    )
    assert all(len(line) <= 44 for line in mention.splitlines())


def test_the_signing_time_is_the_one_asked_for(ca, sample_pdf):
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
    result = verify_pdf(sign_pdf(sample_pdf, **HELENE, when=when))
    assert result.signatures[0].signing_time == when
    assert format_paris(when) in result.message


def test_a_byte_changed_inside_the_signed_range_is_detected(signed_twice):
    tampered = signed_twice.replace(b"/Producer", b"/Producex", 1)
    assert tampered != signed_twice and len(tampered) == len(signed_twice)
    result = verify_pdf(tampered)
    assert result.verdict == Verdict.ALTERE and not result.ok
    assert result.message.startswith("ATTENTION : le contenu signé par ")
    assert not all(s.intact for s in result.signatures)


@pytest.mark.parametrize("change", [_add_annotation, _draw_on_first_page, _change_reference])
def test_a_change_appended_after_the_signatures_is_reported(signed_twice, change):
    result = verify_pdf(_append_update(signed_twice, change))
    assert result.verdict == Verdict.MODIFIE and not result.ok
    assert result.message.startswith("ATTENTION : le document a été modifié après la signature de Hélène Martin")
    assert all(s.intact and s.valid for s in result.signatures), "les octets signés n'ont pas changé"
    assert all(s.modified_after for s in result.signatures)
    assert result.signatures[-1].coverage.startswith("Modifié après cette signature")


def test_an_annotation_added_between_two_signatures_is_reported(signed_once):
    annotated = _append_update(signed_once, _add_annotation)
    result = verify_pdf(sign_pdf(annotated, **JEAN))
    assert result.verdict == Verdict.MODIFIE
    assert result.signatures[0].modified_after and not result.signatures[1].modified_after
    assert result.signatures[0].coverage.startswith("Modifié après cette signature")


def test_a_certificate_from_another_ca_is_not_trusted(sample_pdf, settings, tmp_path):
    settings.PKI_DIR = tmp_path / "autre-pki"
    pki.ensure_ca()
    foreign = sign_pdf(sample_pdf, **HELENE)
    settings.PKI_DIR = tmp_path / "pki"
    pki.ensure_ca()
    result = verify_pdf(foreign)
    assert result.verdict == Verdict.NON_PLATEFORME and not result.ok
    assert result.message.startswith("Signature non émise par la plateforme")
    [signature] = result.signatures
    assert signature.intact and signature.valid and not signature.trusted


def test_documents_signed_before_a_ca_rotation_still_verify(signed_once):
    pki.ensure_ca(force=True)
    assert verify_pdf(signed_once).verdict == Verdict.AUTHENTIQUE


def test_a_signature_stays_valid_after_its_certificate_expired(signed_once, monkeypatch):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=4 * 365)
    monkeypatch.setattr(pdfverify.timezone, "now", lambda: later)
    assert verify_pdf(signed_once).verdict == Verdict.AUTHENTIQUE


def test_an_unsigned_platform_document_is_recognised(sample_pdf, ca):
    result = verify_pdf(sample_pdf)
    assert result.verdict == Verdict.NON_SIGNE and result.is_platform_document
    assert result.message == (
        "Ce document porte la référence FR-CONV-59-0001-v3 de la plateforme mais n'est pas signé "
        "électroniquement : son contenu n'est pas garanti."
    )
    assert result.pending_slots == ("bailleur", "reservataire")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"Ceci n'est pas un PDF, juste du texte.", "Ce fichier n'est pas un document PDF."),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "Ce fichier n'est pas un document PDF."),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "Ce fichier PDF est illisible ou endommagé."),
    ],
)
def test_bad_input_gets_a_clear_french_verdict(ca, data, message):
    result = verify_pdf(data)
    assert result.verdict == Verdict.ILLISIBLE and result.message == message
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)


def test_a_truncated_signed_pdf_never_raises(signed_twice):
    for cut in (100, 5000, len(signed_twice) // 2):
        result = verify_pdf(signed_twice[:-cut])
        assert result.verdict in (Verdict.ILLISIBLE, Verdict.ALTERE, Verdict.MODIFIE, Verdict.NON_SIGNE)
        assert not result.ok and result.message


def test_an_oversized_upload_is_refused_without_parsing(ca):
    result = verify_pdf(b"%PDF-1.7\n" + bytes(pdfverify.MAX_BYTES))
    assert result.verdict == Verdict.ILLISIBLE and "taille maximale" in result.message


def test_the_sha256_of_the_file_is_reported(signed_once):
    assert verify_pdf(signed_once).sha256 == hashlib.sha256(signed_once).hexdigest()


def test_a_slot_cannot_be_signed_twice(signed_once):
    with pytest.raises(SignatureRefused, match="porte déjà la signature « Pour le bailleur »"):
        sign_pdf(signed_once, **{**HELENE, "signer_name": "Quelqu'un d'autre"})


def test_only_platform_documents_can_be_signed(ca):
    from weasyprint import HTML

    foreign = HTML(string="<p>Un document venu d'ailleurs</p>").write_pdf()
    with pytest.raises(SignatureRefused, match="Seuls les documents produits par la plateforme"):
        sign_pdf(foreign, **HELENE)
    with pytest.raises(SignatureRefused, match="n'est pas un PDF lisible"):
        sign_pdf(b"pas un pdf", **HELENE)


def test_a_slot_the_document_does_not_declare_is_refused(ca):
    context = exemple_convention_context()
    context["signatures"] = context["signatures"][:1]  # a document signed by the bailleur only
    pdf = render_pdf(TEMPLATE, context)
    with pytest.raises(SignatureRefused, match="ne prévoit pas de signature « Pour le réservataire »"):
        sign_pdf(pdf, **JEAN)
    assert verify_pdf(sign_pdf(pdf, **HELENE)).pending_slots == ()


def test_unknown_slots_and_naive_times_are_refused(ca, sample_pdf):
    with pytest.raises(SignatureRefused, match="Emplacement de signature inconnu"):
        sign_pdf(sample_pdf, **{**HELENE, "slot": "temoin"})
    with pytest.raises(ValueError, match="fuseau horaire"):
        sign_pdf(sample_pdf, **HELENE, when=dt.datetime(2026, 12, 3, 14, 5))
    with pytest.raises(SignatureRefused, match="dans le futur"):
        sign_pdf(sample_pdf, **HELENE, when=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    with pytest.raises(SignatureRefused, match="hors de la période de validité"):
        sign_pdf(sample_pdf, **HELENE, when=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


def test_signing_and_verifying_work_while_an_event_loop_runs_in_the_thread(ca, sample_pdf):
    """pyHanko's sync API calls asyncio.run(): it must still work under ASGI or Playwright's sync API."""

    async def inside_a_loop():
        return verify_pdf(sign_pdf(sample_pdf, **HELENE))

    assert outside_event_loop(asyncio.run, inside_a_loop()).verdict == Verdict.AUTHENTIQUE


def test_the_sample_command_writes_a_signed_pdf_and_an_html_preview(ca, tmp_path, capsys):
    from django.core.management import call_command

    call_command("pdf_exemple", str(tmp_path / "exemple.pdf"), "--signer")
    assert "Document authentique, signé par Hélène Martin" in capsys.readouterr().out
    assert verify_pdf((tmp_path / "exemple.pdf").read_bytes()).pending_slots == ()
    call_command("pdf_exemple", str(tmp_path / "exemple.html"), "--html")
    assert '<link rel="stylesheet" href="/static/css/pdf.css">' in (tmp_path / "exemple.html").read_text()
