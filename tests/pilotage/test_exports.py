import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention(alice, bob, bailleur, als):
    return conv.validee(bailleur, als, alice, bob)


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_convention_list_exports_to_xlsx_with_its_key_terms(client_for, fede, convention):
    response = client_for(fede).get(reverse("pilotage:export_conventions_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Numéro",
        "Bailleur",
        "Réservataire",
        "Type de réservataire",
        "Département",
        "Périmètre",
        "Statut",
    )
    assert rows[1][0] == convention.numero
    assert rows[1][6] == "Validée"
    assert "25" in str(rows[1][9])


def test_the_matrix_exports_to_csv_in_french_spreadsheet_format(client_for, fede, convention):
    response = client_for(fede).get(reverse("pilotage:export_matrice_csv"))
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Bailleur", "État – préfet de département", "Action Logement Services"]
    assert rows[1][0] == "Habitat Alice"
    assert rows[1][1] == "aucune convention"
    assert rows[1][2] == "Validée : 1"


def test_the_csv_convention_list_uses_decimal_commas(client_for, alice, convention):
    text = _body(client_for(alice).get(reverse("pilotage:export_conventions_csv"))).decode("utf-8")
    assert ";25,00;" in text


def test_exports_are_scoped_to_the_organisation(client_for, charlie, convention):
    text = _body(client_for(charlie).get(reverse("pilotage:export_conventions_csv"))).decode("utf-8")
    assert convention.numero not in text
