"""Patrimoine pages, template downloads, dwellings API and import API: who sees what."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Job
from flux.services.patrimoine import patrimoine_import
from reservataires.models import Role
from tests import factories
from tests.flux import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def parc(bailleur, alice, tmp_path):
    rows = f.lignes(3, depcom="59512", qpv="1") + f.lignes(2, depcom="59350", qpv="2", finan="10", debut=10)
    f.patrimoine(bailleur, alice, tmp_path, rows)


def test_the_overview_counts_the_patrimony_by_departement_epci_financing_and_typology(
    parc, client_for, bailleur, alice
):
    page = client_for(alice).get(reverse("flux:patrimoine_detail", args=[bailleur.pk])).content.decode()
    assert "Métropole Européenne de Lille" in page and "Nord (59)" in page
    assert "PLAI (PLA d&#x27;intégration, PLA très social)" in page
    assert "60,0 % du parc" in page or "60.0 % du parc" in page
    assert "Importer un fichier RPLS" in page
    assert 'id="graph-financement"' in page and "<script>" not in page  # data only, no inline code


def test_the_federation_reads_the_patrimony_and_others_get_404(parc, client_for, bailleur, fede, bob, charlie):
    url = reverse("flux:patrimoine_detail", args=[bailleur.pk])
    page = client_for(fede).get(url).content.decode()
    assert "Habitat Alice" in page and "Importer un fichier RPLS" not in page
    assert client_for(fede).get(reverse("flux:patrimoine_import", args=[bailleur.pk])).status_code == 403
    for user in (bob, charlie):  # a réservataire does not see the bailleur's dwellings
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("flux:logement_list", args=[bailleur.pk])).status_code == 404
        assert "Habitat Alice" not in client.get(reverse("flux:patrimoine_list")).content.decode()


def test_the_dwellings_list_filters(parc, client_for, bailleur, alice):
    url = reverse("flux:logement_list", args=[bailleur.pk])
    page = client_for(alice).get(url + "?qpv=non&financement=PLAI").content.decode()
    assert "2 logements" in page and "0000000010" in page and "0000000001" not in page


def test_the_import_page_documents_the_accepted_headers_and_starts_a_job(client_for, bailleur, alice):
    client = client_for(alice)
    url = reverse("flux:patrimoine_import", args=[bailleur.pk])
    page = client.get(url).content.decode()
    assert "<code>DEPCOM</code>" in page and "<code>LOYERPRINC</code>" in page
    response = client.post(url, {"fichier": SimpleUploadedFile("notes.pdf", b"%PDF-1.4")})
    assert "Format non pris en charge : fichier CSV ou XLSX attendu." in response.content.decode()
    response = client.post(url, {"fichier": SimpleUploadedFile("rpls.csv", f.texte_csv([f.ligne()]).encode())})
    job = Job.objects.get(kind="flux.import_patrimoine")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.organisation == bailleur and job.params["nom"] == "rpls.csv"


def test_a_reader_of_the_bailleur_cannot_open_the_import_page(client_for, bailleur):
    lecteur = factories.member(bailleur, Role.LECTEUR)
    assert client_for(lecteur).get(reverse("flux:patrimoine_import", args=[bailleur.pk])).status_code == 403


def test_the_template_files_download_and_the_csv_one_imports(client_for, bailleur, alice, tmp_path):
    client = client_for(alice)
    csv = client.get(reverse("flux:modele_patrimoine_csv"))
    assert csv["Content-Disposition"] == 'attachment; filename="modele-patrimoine-rpls.csv"'
    path = tmp_path / "modele.csv"
    path.write_bytes(csv.content)
    assert patrimoine_import(bailleur=bailleur, path=path, by=alice)["crees"] == 2
    xlsx = client.get(reverse("flux:modele_stock_xlsx"))
    feuille = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    assert next(feuille.iter_rows(values_only=True))[:3] == ("reference", "reservataire", "fondement")


def test_the_menu_has_a_patrimoine_entry(client_for, alice):
    assert 'href="/flux/patrimoine/">Patrimoine</a>' in client_for(alice).get("/").content.decode()


# --- API -----------------------------------------------------------------------------------------------------
def test_the_dwellings_api_filters_and_is_scoped(parc, api_client_for, alice, fede, charlie, bob):
    api = api_client_for(alice)
    assert api.get("/api/v1/patrimoine/logements/").json()["count"] == 5
    corps = api.get("/api/v1/patrimoine/logements/?qpv=true&commune=59512").json()
    assert corps["count"] == 3 and corps["results"][0]["epci"] == "200093201"
    assert api.get("/api/v1/patrimoine/logements/?financement=PLAI&annee_min=1970").json()["count"] == 2
    assert api_client_for(fede).get("/api/v1/patrimoine/logements/").json()["count"] == 5
    for user in (charlie, bob):
        assert api_client_for(user).get("/api/v1/patrimoine/logements/").json()["count"] == 0


def test_the_import_api_answers_202_with_the_job_or_400_in_french(api_client_for, bailleur, alice, fede):
    api = api_client_for(alice)
    fichier = SimpleUploadedFile("rpls.csv", f.texte_csv([f.ligne()]).encode())
    donnees = {"type": "patrimoine", "bailleur": bailleur.pk, "fichier": fichier}
    response = api.post("/api/v1/patrimoine/imports/", donnees, format="multipart")
    assert response.status_code == 202
    corps = response.json()
    assert corps["type"] == "patrimoine" and corps["etat"] == "en_attente" and corps["page"].startswith("/taches/")
    assert api.get(f"/api/v1/patrimoine/imports/{corps['id']}/").status_code == 200
    response = api.post(
        "/api/v1/patrimoine/imports/", {"type": "patrimoine", "bailleur": bailleur.pk}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["fichier"] == ["Aucun fichier n'a été soumis."]
    fichier = SimpleUploadedFile("rpls.csv", b"x")
    response = api_client_for(fede).post(
        "/api/v1/patrimoine/imports/",
        {"type": "patrimoine", "bailleur": bailleur.pk, "fichier": fichier},
        format="multipart",
    )
    assert response.status_code == 403
