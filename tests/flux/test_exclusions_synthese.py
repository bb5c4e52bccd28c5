"""Exclusions per bailleur × département × year, and the synthesis per bailleur and département."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from flux.models import Exclusion, Fondement, Methode
from flux.selectors import synthese_lignes
from flux.services.conversion import conversion_calculer
from flux.services.etat_des_lieux import reservation_create
from flux.services.exclusions import exclusion_delete, exclusion_save, exclusion_update
from territoires.models import Departement
from tests import factories
from tests.flux import factories as f

pytestmark = pytest.mark.django_db
ANNEE = datetime.date.today().year


@pytest.fixture
def nord(db):
    return Departement.objects.get(code="59")


def test_a_forecast_is_saved_then_replaced_per_category_and_year(bailleur, alice, nord):
    premiere = exclusion_save(
        bailleur=bailleur, departement=nord, annee=ANNEE, categorie="mutation", nb_logements=40, by=alice
    )
    seconde = exclusion_save(
        bailleur=bailleur, departement=nord, annee=ANNEE, categorie="mutation", nb_logements=35, by=alice
    )
    assert premiere.pk == seconde.pk and Exclusion.objects.get().nb_logements == 35
    exclusion_save(
        bailleur=bailleur, departement=nord, annee=ANNEE + 1, categorie="mutation", nb_logements=30, by=alice
    )
    assert Exclusion.objects.count() == 2
    with pytest.raises(ValidationError) as exc:
        exclusion_update(exclusion=seconde, by=alice, annee=ANNEE + 1)
    assert "déjà renseignée" in exc.value.message_dict["categorie"][0]
    with pytest.raises(ValidationError) as exc:
        exclusion_save(bailleur=bailleur, departement=nord, annee=1999, categorie="lubie", nb_logements=-1, by=alice)
    assert set(exc.value.message_dict) == {"annee", "categorie", "nb_logements"}


def test_federation_readers_see_but_do_not_configure_exclusions(bailleur, alice, fede, charlie, nord, client_for):
    exclusion = exclusion_save(
        bailleur=bailleur, departement=nord, annee=ANNEE, categorie="foyers", nb_logements=12, by=alice
    )
    with pytest.raises(PermissionDenied):
        exclusion_save(bailleur=bailleur, departement=nord, annee=ANNEE, categorie="mutation", nb_logements=1, by=fede)
    with pytest.raises(PermissionDenied):
        exclusion_delete(exclusion=exclusion, by=fede)
    url = reverse("flux:exclusion_list", args=[bailleur.pk])
    assert "Logements-foyers et résidences" in client_for(fede).get(f"{url}?annee={ANNEE}").content.decode()
    assert client_for(fede).post(url, {}).status_code == 403
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).get(reverse("flux:exclusion_edit", args=[exclusion.pk])).status_code == 404


def test_the_exclusions_page_adds_edits_and_deletes(bailleur, alice, nord, client_for):
    client = client_for(alice)
    url = reverse("flux:exclusion_list", args=[bailleur.pk])
    response = client.post(
        url, {"departement": "59", "annee": ANNEE, "categorie": "relogement_npnru", "nb_logements": "14"}
    )
    assert response.status_code == 302
    exclusion = Exclusion.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Relogements liés au renouvellement urbain" in page and "le flux annuel" in page
    client.post(
        reverse("flux:exclusion_edit", args=[exclusion.pk]),
        {"departement": "59", "annee": ANNEE, "categorie": "relogement_npnru", "nb_logements": "16"},
    )
    exclusion.refresh_from_db()
    assert exclusion.nb_logements == 16
    client.post(reverse("flux:exclusion_delete", args=[exclusion.pk]))
    assert not Exclusion.objects.exists()


def test_the_exclusions_api_replaces_a_category_and_tells_what_it_bears_on(api_client_for, bailleur, alice):
    api = api_client_for(alice)
    donnees = {
        "bailleur": bailleur.pk,
        "departement": "59",
        "annee": ANNEE,
        "categorie": "reste_en_stock",
        "nb_logements": 8,
    }
    assert api.post("/api/v1/exclusions/", donnees, format="json").json()["porte_sur"] == "stock"
    response = api.post("/api/v1/exclusions/", {**donnees, "nb_logements": 9}, format="json")
    assert response.status_code == 201 and Exclusion.objects.get().nb_logements == 9
    response = api.post("/api/v1/exclusions/", {**donnees, "annee": 1900}, format="json")
    assert response.status_code == 400 and "2018" in response.json()["annee"][0]


# --- Synthesis ---------------------------------------------------------------------------------------------
@pytest.fixture
def synthese(bailleur, alice, prefet, als, nord, tmp_path):
    rows = (
        f.lignes(6, depcom="59512", finan="13", qpv="1")
        + f.lignes(2, depcom="59350", finan="10", qpv="2", debut=50)
        + f.lignes(2, depcom="59350", finan="14", qpv="2", debut=60)
        + f.lignes(5, depcom="93066", finan="16", debut=70)
    )
    f.patrimoine(bailleur, alice, tmp_path, rows)
    exclusion_save(bailleur=bailleur, departement=nord, annee=ANNEE, categorie="foyers", nb_logements=1, by=alice)
    exclusion_save(bailleur=bailleur, departement=nord, annee=ANNEE, categorie="mutation", nb_logements=2, by=alice)
    for reservataire, fondement, nb in (
        (prefet, Fondement.PREFET_PRIORITAIRES, 2),
        (prefet, Fondement.PREFET_AGENTS, 1),
        (als, Fondement.ACTION_LOGEMENT, 3),
    ):
        reservation_create(
            bailleur=bailleur,
            by=alice,
            reservataire=reservataire,
            departement="59",
            fondement=fondement,
            nb_logements=nb,
        )
    conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice)


def test_the_synthesis_sums_stock_reservations_exclusions_and_current_shares(synthese, bailleur, alice):
    lignes = synthese_lignes(alice, annee=ANNEE)
    nord, seine = lignes
    assert (nord["departement"], seine["departement"]) == ("59", "93")
    assert (nord["logements"], nord["qpv"], nord["plus"], nord["plai"], nord["pls"], nord["pli"]) == (10, 6, 6, 2, 2, 0)
    assert (nord["exclusions_stock"], nord["assiette"], nord["deductions_flux"]) == (1, 9, 2)
    assert (nord["reserve_prefet"], nord["reserve_agents"], nord["reserve_als"], nord["reserve_total"]) == (2, 1, 3, 6)
    assert nord["reserve_pct"] == Decimal("66.7") and nord["non_reserve"] == 3
    # Shares of the current conversion: préfet 3/9, ALS 3/9.
    assert (nord["part_prefet"], nord["part_als"], nord["part_bailleur"]) == (
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.33"),
    )
    assert (seine["logements"], seine["pli"], seine["methode"], seine["part_bailleur"]) == (5, 5, "", None)


def test_the_synthesis_downloads_hold_the_same_figures(synthese, client_for, alice):
    client = client_for(alice)
    csv = client.get(reverse("flux:synthese_csv") + f"?annee={ANNEE}").content.decode("utf-8-sig").splitlines()
    entete = csv[0].split(";")
    assert entete[:5] == ["Bailleur", "Type", "Département", "Nom du département", "Logements conventionnés"]
    nord = dict(zip(entete, csv[1].split(";"), strict=True))
    assert (nord["Département"], nord["Logements conventionnés"], nord["Assiette"], nord["Total réservé"]) == (
        "59",
        "10",
        "9",
        "6",
    )
    assert nord["Part préfet (%)"] == "33,33" and nord["Méthode de conversion"].startswith("Ratio simple")
    assert csv[-1].startswith("Total;;;;15;")
    response = client.get(reverse("flux:synthese_xlsx") + f"?annee={ANNEE}&departement=59")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    classeur = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert classeur.sheetnames == [f"Synthèse {ANNEE}", "Paramètres"]
    rangees = list(classeur.worksheets[0].iter_rows(values_only=True))
    assert rangees[0][0] == "Bailleur" and len(rangees) == 3  # header, Nord, total
    ligne = dict(zip(rangees[0], rangees[1], strict=True))
    assert (ligne["Bailleur"], ligne["Département"], ligne["Logements conventionnés"], ligne["Part préfet (%)"]) == (
        "Habitat Alice",
        "59",
        10,
        33.33,
    )
    page = client.get(reverse("flux:synthese") + f"?annee={ANNEE}").content.decode()
    assert "Habitat Alice" in page and "Synthèse par bailleur et département" in page


def test_the_synthesis_shows_a_federation_its_adherents_and_nobody_else_anything(
    synthese, fede, bob, charlie, client_for
):
    assert [l["bailleur"] for l in synthese_lignes(fede, annee=ANNEE)] == ["Habitat Alice", "Habitat Alice"]  # noqa: E741
    assert synthese_lignes(bob, annee=ANNEE) == []  # a réservataire sees its rights in the état des lieux instead
    assert synthese_lignes(charlie, annee=ANNEE) == []
    assert "Habitat Alice" not in client_for(charlie).get(reverse("flux:synthese_csv")).content.decode("utf-8-sig")


def test_the_synthesis_api_filters_by_departement(synthese, api_client_for, alice):
    response = api_client_for(alice).get(f"/api/v1/synthese/?annee={ANNEE}&departement=93")
    assert response.status_code == 200
    assert [(l["departement"], l["logements"]) for l in response.json()] == [("93", 5)]  # noqa: E741
    assert api_client_for(alice).get("/api/v1/synthese/?annee=abc").status_code == 400


def test_another_federation_does_not_see_the_bailleur(synthese):
    autre = factories.member(factories.FederationFactory(nom="AORIF (test)", region_id="11"))
    assert synthese_lignes(autre, annee=ANNEE) == []
