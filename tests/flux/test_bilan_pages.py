"""Pages of the bilans: list with due date and late flag, yearly computation, detail, downloads, actions."""

import io

import openpyxl
import pytest
from django.urls import reverse

from core.models import Job
from flux.models.orientation import Bilan, StatutBilan
from flux.services.bilan import calculer_bilan
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb


@pytest.fixture
def convention(bailleur, als, alice):
    return wb.jeu(conv.brouillon(bailleur, als, alice))


def test_le_bailleur_calcule_les_bilans_de_l_annee(client, alice, convention):
    client.force_login(alice)
    page = client.get(reverse("flux:bilan_list"), {"annee": 2025})
    assert (
        "Calculer les bilans de l&#x27;année" in page.content.decode() or "Calculer les bilans" in page.content.decode()
    )
    reponse = client.post(
        reverse("flux:bilan_calculer_annee"), {"bailleur": convention.bailleur_id, "annee": 2025}, follow=True
    )
    contenu = reponse.content.decode()
    assert "1 bilan(s) 2025 calculé(s)" in contenu
    assert "avant le 28 février 2026" in contenu and "En retard" in contenu  # today is after 28 February 2026
    bilan = Bilan.objects.get(convention=convention, annee=2025)
    assert (bilan.realise, bilan.statut) == (3, StatutBilan.BROUILLON)


def test_detail_et_telechargement_xlsx(client, bob, convention):
    bilan = calculer_bilan(convention, 2025)
    client.force_login(bob)  # the réservataire reads its bilan, without the bailleur's actions
    contenu = client.get(reverse("flux:bilan_detail", args=[bilan.pk])).content.decode()
    assert "Roubaix" in contenu and "1949–1974" in contenu and "Produire le PDF" not in contenu
    assert client.post(reverse("flux:bilan_produire", args=[bilan.pk])).status_code == 404
    reponse = client.get(reverse("flux:bilan_xlsx", args=[bilan.pk]))
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
    synthese = {row[0]: row[1] for row in classeur["Synthèse"].iter_rows(values_only=True)}
    assert synthese["Logements proposés (imputés)"] == 3
    assert synthese["Logements attribués (CALEOL)"] == 2
    assert synthese["dont compensés"] == 1
    assert [r for r in classeur["Commune"].iter_rows(values_only=True)][1] == ("Roubaix", 3, 2, 1, 1)
    assert client.get(reverse("flux:bilan_pdf", args=[bilan.pk])).status_code == 404  # not produced yet


def test_produire_puis_envoyer_depuis_la_page(client, alice, convention, django_capture_on_commit_callbacks):
    bilan = calculer_bilan(convention, 2025)
    client.force_login(alice)
    assert "Produire le PDF" in client.get(reverse("flux:bilan_detail", args=[bilan.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reponse = client.post(reverse("flux:bilan_produire", args=[bilan.pk]))
    job = Job.objects.get(kind="flux.bilan_pdf")
    assert reponse.url == reverse("job_detail", args=[job.pk]) and len(callbacks) == 1
    assert job.params == {"bilans": [bilan.pk]}
    # Nothing to send before the PDF exists.
    reponse = client.post(reverse("flux:bilan_envoyer", args=[bilan.pk]), follow=True)
    assert "produisez d&#x27;abord les PDF" in reponse.content.decode()


def test_un_lot_de_pdf_pour_le_bailleur(client, alice, convention, prefet, django_capture_on_commit_callbacks):
    wb.jeu(conv.brouillon(convention.bailleur, prefet, alice))
    client.force_login(alice)
    client.post(reverse("flux:bilan_calculer_annee"), {"bailleur": convention.bailleur_id, "annee": 2025})
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("flux:bilans_produire"), {"bailleur": convention.bailleur_id, "annee": 2025})
    job = Job.objects.get(kind="flux.bilan_pdf")
    assert len(job.params["bilans"]) == 2


def test_un_etranger_ne_voit_pas_le_bilan(client, charlie, convention):
    bilan = calculer_bilan(convention, 2025)
    client.force_login(charlie)
    assert client.get(reverse("flux:bilan_detail", args=[bilan.pk])).status_code == 404
    assert client.get(reverse("flux:bilan_xlsx", args=[bilan.pk])).status_code == 404
    assert "Action Logement" not in client.get(reverse("flux:bilan_list"), {"annee": 2025}).content.decode()
    reponse = client.post(reverse("flux:bilan_calculer_annee"), {"bailleur": convention.bailleur_id, "annee": 2025})
    assert reponse.status_code == 404


def test_api_des_bilans(convention, alice, charlie, api_client_for):
    bilan = calculer_bilan(convention, 2025)
    corps = api_client_for(alice).get("/api/v1/bilans/", {"annee": 2025}).json()
    (ligne,) = corps["results"] if isinstance(corps, dict) else corps
    assert (ligne["id"], ligne["realise"], ligne["echeance"], ligne["en_retard"]) == (bilan.pk, 3, "2026-02-28", True)
    assert api_client_for(charlie).get(f"/api/v1/bilans/{bilan.pk}/").status_code == 404


def test_api_produire_puis_envoyer(convention, alice, bob, api_client_for, django_capture_on_commit_callbacks):
    bilan = calculer_bilan(convention, 2025)
    assert api_client_for(bob).post(f"/api/v1/bilans/{bilan.pk}/produire/").status_code == 403
    envoi = api_client_for(alice).post(f"/api/v1/bilans/{bilan.pk}/envoyer/")
    assert envoi.status_code == 400 and "produisez d'abord" in envoi.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        reponse = api_client_for(alice).post(f"/api/v1/bilans/{bilan.pk}/produire/")
    assert reponse.status_code == 202
    job = Job.objects.get(pk=reponse.json()["tache"])
    assert job.kind == "flux.bilan_pdf" and job.params == {"bilans": [bilan.pk]}
