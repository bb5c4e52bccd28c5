"""One Django template, two outputs: the HTML preview in the browser and the PDF (WeasyPrint).

Why one template: what a signatory previews must be what gets signed. The template links
``static/css/pdf.css`` (print layout for WeasyPrint, a "sheet of paper" look on screen) and
the fonts in ``static/fonts/``; the browser loads them from /static/ under the strict CSP,
WeasyPrint loads the very same files through :class:`StaticOnlyFetcher`.

Speed: parsing fonts and building a fontconfig map dominates small renders, so each thread
keeps one FontConfiguration for its whole life (Celery prefork and gunicorn sync workers are
single-threaded; the thread-local keeps threaded servers safe).
"""

from __future__ import annotations

import atexit
import enum
import gc
import re
import threading
from dataclasses import dataclass
from typing import Any

import pydyf
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration

from core.pdf.fetcher import StaticOnlyFetcher, base_url

PDF_AUTHOR = "Flux réservations"
# Custom keys of the PDF document information dictionary: they survive incremental updates
# (signatures), so the verification page can tell a platform document and name it.
INFO_REFERENCE = "FluxReference"
INFO_KIND = "FluxDocumentKind"
# Comma-separated slots of the "Signatures" page (core/pdf/slots.py): the signer creates their fields.
INFO_SLOTS = "FluxSignatureSlots"
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class DocumentKind(enum.StrEnum):
    CONVENTION = "convention"
    AVENANT = "avenant"
    BILAN = "bilan"
    EXEMPLE = "exemple"

    @property
    def label(self) -> str:
        return {
            "convention": "Convention de réservation",
            "avenant": "Avenant à une convention de réservation",
            "bilan": "Bilan annuel des attributions",
            "exemple": "Document d'exemple",
        }[self.value]


@dataclass(frozen=True)
class DocumentPdf:
    """Identity of a platform document: printed in its header and written into its metadata."""

    reference: str  # e.g. "FR-CONV-59-0001-v3", unique on the platform
    kind: DocumentKind
    title: str
    subject: str = ""

    def __post_init__(self) -> None:
        if not REFERENCE_RE.match(self.reference):
            raise ValueError(f"Référence de document invalide : {self.reference!r} (lettres, chiffres, . _ -).")
        object.__setattr__(self, "kind", DocumentKind(self.kind))
        if not self.title.strip():
            raise ValueError("Un document PDF doit avoir un titre.")

    @property
    def kind_label(self) -> str:
        return self.kind.label


_local = threading.local()


@atexit.register
def _release_font_config() -> None:
    """Free the main thread's fonts while the libraries are still loaded.

    Left to interpreter finalisation, the FontConfiguration is destroyed after GLib/Pango are torn
    down and its cffi finaliser (g_object_unref) crashes the process at exit (seen with
    ``manage.py`` commands: segmentation fault after the work was done).
    """
    for name in ("font_config", "fetcher"):
        if hasattr(_local, name):
            delattr(_local, name)
    gc.collect()


def _font_config() -> FontConfiguration:
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _fetcher() -> StaticOnlyFetcher:
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = StaticOnlyFetcher()
    return fetcher


def _document_of(context: dict[str, Any]) -> DocumentPdf:
    document = context.get("document")
    if not isinstance(document, DocumentPdf):
        raise TypeError("Le contexte d'un document PDF doit contenir « document » (core.pdf.DocumentPdf).")
    return document


def render_html(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> str:
    """The HTML of the document, for the browser preview (assets from /static/, CSP-compatible).

    Always in French formats (dates, thousands separators), whoever triggers the rendering
    (a Celery worker has no active language).
    """
    _document_of(context)
    with translation.override("fr"):
        return render_to_string(template_name, context, request=request)


def render_document(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> Document:
    """The laid-out WeasyPrint document (pages and boxes), for callers that inspect the layout."""
    html = render_html(template_name, context, request=request)
    return HTML(string=html, base_url=base_url(), url_fetcher=_fetcher()).render(font_config=_font_config())


def _finisher(document: DocumentPdf, slots: list[str]):
    """Write the metadata from DocumentPdf rather than trusting the template's <meta> tags."""

    def finish(_weasy_document: Document, pdf: pydyf.PDF) -> None:
        pdf.info["Title"] = pydyf.String(document.title)
        pdf.info["Author"] = pydyf.String(PDF_AUTHOR)
        pdf.info["Subject"] = pydyf.String(document.subject or document.kind.label)
        pdf.info["Creator"] = pydyf.String(PDF_AUTHOR)
        pdf.info[INFO_REFERENCE] = pydyf.String(document.reference)
        pdf.info[INFO_KIND] = pydyf.String(document.kind.value)
        if slots:
            pdf.info[INFO_SLOTS] = pydyf.String(",".join(slots))
        pdf.info["CreationDate"] = pydyf.String(timezone.now().strftime("D:%Y%m%d%H%M%SZ"))
        pdf.catalog["Lang"] = pydyf.String("fr-FR")

    return finish


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """Render a platform document to PDF bytes, metadata included (see DocumentPdf)."""
    document = _document_of(context)
    slots = [block.slot.name for block in context.get("signatures") or []]
    return render_document(template_name, context, request=request).write_pdf(finisher=_finisher(document, slots))
