"""The WeasyPrint pipeline: French text, page numbers, metadata, fonts, and nothing fetched outside static/."""

import re
import subprocess
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from core.pdf import (
    INFO_KIND,
    INFO_REFERENCE,
    INFO_SLOTS,
    DocumentKind,
    DocumentPdf,
    RefusedResource,
    StaticOnlyFetcher,
    render_html,
    render_pdf,
)
from core.pdf.exemple import TEMPLATE, exemple_convention_context
from tests.signature.conftest import page_count, pdf_text


def test_the_sample_convention_renders_french_text_and_page_x_of_y(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    pages = page_count(sample_pdf)
    assert pages >= 5
    text = " ".join(pdf_text(sample_pdf).split())  # lines wrap anywhere
    assert "Convention de réservation de logements locatifs sociaux en flux" in text
    assert "Vu le décret n° 2020-145 du 20 février 2020" in text
    assert "L.441-1, R.441-3 et R.441-5 et suivants" in text
    assert "Métropole Européenne de Lille" in text
    assert "« le bailleur »" in text
    for number in range(1, pages + 1):
        assert f"Page {number} sur {pages}" in pdf_text(sample_pdf, number, number)


def test_numbers_follow_french_conventions(sample_pdf):
    text = pdf_text(sample_pdf, 1, 3)
    assert re.search(r"1[\u00a0\u202f ]840 logements", text), "séparateur de milliers français attendu"
    assert "22,5 %" in text


def test_the_platform_reference_and_kind_are_in_the_metadata(sample_pdf):
    info = PdfFileReader(BytesIO(sample_pdf)).trailer_view["/Info"]
    assert str(info["/Title"]) == "Convention de réservation de logements locatifs sociaux en flux"
    assert str(info["/Author"]) == "Flux réservations"
    assert "Nord Habitat Solidaire" in str(info["/Subject"])
    assert str(info[f"/{INFO_REFERENCE}"]) == "FR-CONV-59-0001-v3"
    assert str(info[f"/{INFO_KIND}"]) == "convention"
    assert str(info[f"/{INFO_SLOTS}"]) == "bailleur,reservataire"


def test_the_reference_is_printed_on_every_page(sample_pdf):
    assert "FR-CONV-59-0001-v3" in pdf_text(sample_pdf, 1, 1)  # in the title block
    assert "Réf. FR-CONV" not in pdf_text(sample_pdf, 1, 1), "pas d'en-tête courant sur la page de titre"
    for number in range(2, page_count(sample_pdf) + 1):
        assert "Réf. FR-CONV-59-0001-v3" in pdf_text(sample_pdf, number, number)


def test_the_static_fonts_are_embedded(sample_pdf):
    fonts = subprocess.run(["pdffonts", "-"], input=sample_pdf, capture_output=True, check=True).stdout.decode()
    lines = fonts.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in lines}
    # WeasyPrint names the embedded subsets after the @font-face families of static/css/pdf.css.
    assert {"Flux-Serif", "Flux-Serif-Bold", "Flux-Serif-Italic", "Flux-Sans-Semi-Condensed"} <= names, fonts
    assert all(name.startswith("Flux-") for name in names), f"police système utilisée : {fonts}"
    # columns: name type encoding emb sub uni object ID: every font embedded as a subset
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in lines), fonts


def test_the_epci_table_repeats_its_header_on_each_of_its_pages(sample_pdf):
    rows = exemple_convention_context()["objectifs"]
    texts = [pdf_text(sample_pdf, n, n) for n in range(1, page_count(sample_pdf) + 1)]
    first = next(n for n, text in enumerate(texts) if rows[0]["siren"] in text)
    last = next(n for n, text in enumerate(texts) if rows[-1]["siren"] in text)
    assert last > first, "le tableau de 50 EPCI doit tenir sur plusieurs pages"
    for text in texts[first : last + 1]:
        assert "SIREN" in text and "Objectif" in text and "dont QPV" in text


def test_a_table_row_never_splits_across_pages():
    from core.pdf import render_document

    document = render_document(TEMPLATE, exemple_convention_context())
    seen: dict[object, int] = {}

    def walk(box, page_number, in_body=False):
        if type(box).__name__ == "TableRowGroupBox":
            in_body = not (box.is_header or box.is_footer)
        if type(box).__name__ == "TableRowBox" and in_body:
            assert seen.setdefault(box.element, page_number) == page_number, "une ligne est coupée entre deux pages"
        for child in getattr(box, "children", ()):
            walk(child, page_number, in_body)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    assert len(seen) >= 50


def test_the_last_page_is_the_signatures_page(sample_pdf):
    last = pdf_text(sample_pdf, page_count(sample_pdf), page_count(sample_pdf))
    assert "Signatures des parties" in last
    assert "POUR LE BAILLEUR" in last and "POUR LE RÉSERVATAIRE" in last
    assert "Hélène Martin, directrice générale" in last
    assert "Annexe" not in last


def test_a_document_without_signatures_has_no_signatures_page_nor_slots():
    context = exemple_convention_context()
    context["signatures"] = []
    pdf = render_pdf(TEMPLATE, context)
    assert "Signatures des parties" not in pdf_text(pdf)
    info = PdfFileReader(BytesIO(pdf)).trailer_view["/Info"]
    assert f"/{INFO_SLOTS}" not in info


def test_the_context_must_carry_a_document_identity():
    context = exemple_convention_context()
    del context["document"]
    with pytest.raises(TypeError, match="DocumentPdf"):
        render_pdf(TEMPLATE, context)


@pytest.mark.parametrize("reference", ["", "FR CONV", "../etc", "x" * 65, "é-1"])
def test_a_document_reference_is_a_short_ascii_code(reference):
    with pytest.raises(ValueError, match="Référence de document invalide"):
        DocumentPdf(reference=reference, kind=DocumentKind.BILAN, title="Bilan 2026")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_html_preview_obeys_the_strict_csp_and_loads_the_same_assets(client):
    html = render_html(TEMPLATE, exemple_convention_context())
    parser = _Collector()
    parser.feed(html)
    assert not [attrs for _, attrs in parser.tags if "style" in attrs], "attribut style interdit par la CSP"
    assert not [tag for tag, _ in parser.tags if tag in ("style", "script")], "aucun style ni script en ligne"
    stylesheets = [attrs["href"] for tag, attrs in parser.tags if tag == "link" and attrs.get("rel") == "stylesheet"]
    assert stylesheets == ["/static/css/pdf.css"]
    css = client.get(stylesheets[0])
    assert css.status_code == 200
    css_text = b"".join(css.streaming_content).decode() if css.streaming else css.content.decode()
    fonts = re.findall(r'url\("\.\./(fonts/[^"]+)"\)', css_text)
    assert len(fonts) == 5
    for font in fonts:
        assert client.get(f"/static/{font}").status_code == 200


def test_the_fetcher_serves_static_files_only():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch("file:///static/fonts/DejaVuSerif.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    for url in (
        "file:///etc/passwd",
        "file:///static/../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "file://attacker.example/static/css/pdf.css",
        "https://example.org/pixel.png",
        "ftp://example.org/static/css/pdf.css",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


@pytest.mark.parametrize("src", ["file:///etc/passwd", "https://example.org/pixel.png", "/media/secret.pdf"])
def test_a_rendering_that_asks_for_a_foreign_resource_fails_instead_of_fetching_it(src):
    html = f'<html><body><p>Texte</p><img src="{src}"></body></html>'
    with pytest.raises(FatalURLFetchingError):
        HTML(string=html, base_url="file:///", url_fetcher=StaticOnlyFetcher()).write_pdf()


def test_the_pdf_renders_from_hashed_static_files_as_in_production(tmp_path, settings):
    """Production serves collectstatic's hashed copies: the fetcher must find them in STATIC_ROOT."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    html = render_html(TEMPLATE, exemple_convention_context())
    [href] = re.findall(r'href="(/static/css/pdf\.[0-9a-f]{12}\.css)"', html)
    hashed_css = (settings.STATIC_ROOT / href.removeprefix("/static/")).read_text()
    assert re.search(r"DejaVuSerif\.[0-9a-f]{12}\.ttf", hashed_css)
    fonts = subprocess.run(
        ["pdffonts", "-"], input=render_pdf(TEMPLATE, exemple_convention_context()), capture_output=True, check=True
    ).stdout.decode()
    assert "Flux-Serif" in fonts and "Flux-Sans" in fonts
