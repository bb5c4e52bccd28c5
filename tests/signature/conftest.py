"""Fixtures of the PDF and signature tests: a throw-away PKI per test, the sample convention, the signatories.

Every test of this package gets its own PKI_DIR under tmp_path (autouse): nothing is ever
written to var/pki.
"""

import subprocess

import pytest

from conventions import pki
from conventions.pdfsign import sign_pdf
from core.pdf import render_pdf
from core.pdf.exemple import TEMPLATE, exemple_convention_context

# The two signatories of the sample convention, as the conventions service will pass them.
HELENE = {
    "slot": "bailleur",
    "organisation_id": 101,
    "organisation_name": "Nord Habitat Solidaire",
    "siren": "272900014",
    "signer_name": "Hélène Martin",
    "signer_function": "Directrice générale",
    "reason": "Signature de la convention FR-CONV-59-0001-v3",
    "location": "Lille",
}
JEAN = {
    "slot": "reservataire",
    "organisation_id": 202,
    "organisation_name": "Action Logement Services",
    "siren": "824541148",
    "signer_name": "Jean-François Lefèvre",
    "signer_function": "Directeur régional Hauts-de-France",
    "reason": "Signature de la convention FR-CONV-59-0001-v3",
    "location": "Lille",
}


@pytest.fixture(autouse=True)
def pki_dir(tmp_path, settings, monkeypatch):
    monkeypatch.delenv(pki.PASSPHRASE_ENV, raising=False)
    settings.PKI_DIR = tmp_path / "pki"
    return settings.PKI_DIR


@pytest.fixture
def ca(pki_dir):
    return pki.ensure_ca()


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    return render_pdf(TEMPLATE, exemple_convention_context())


@pytest.fixture
def signed_once(ca, sample_pdf) -> bytes:
    return sign_pdf(sample_pdf, **HELENE)


@pytest.fixture
def signed_twice(signed_once) -> bytes:
    return sign_pdf(signed_once, **JEAN)


def pdf_text(pdf: bytes, first: int | None = None, last: int | None = None) -> str:
    """Text of a PDF as poppler's pdftotext sees it (layout order), optionally a page range."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
