"""PDF rendering of platform documents (conventions, avenants, bilans): see core/pdf/render.py."""

from core.pdf.fetcher import RefusedResource, StaticOnlyFetcher
from core.pdf.render import (
    INFO_KIND,
    INFO_REFERENCE,
    INFO_SLOTS,
    PDF_AUTHOR,
    DocumentKind,
    DocumentPdf,
    render_document,
    render_html,
    render_pdf,
)
from core.pdf.slots import SIGNATURE_SLOTS, SignatureBlock, SignatureSlot, signature_blocks

__all__ = [
    "INFO_KIND",
    "INFO_REFERENCE",
    "INFO_SLOTS",
    "PDF_AUTHOR",
    "SIGNATURE_SLOTS",
    "DocumentKind",
    "DocumentPdf",
    "RefusedResource",
    "SignatureBlock",
    "SignatureSlot",
    "StaticOnlyFetcher",
    "render_document",
    "render_html",
    "render_pdf",
    "signature_blocks",
]
