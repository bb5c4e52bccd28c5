"""État des lieux: entered in the browser or through the API, imported from a spreadsheet; scoped to its parties."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from flux.models import Fondement, ReservationStock, SourceReservation
from flux.services.etat_des_lieux import (
    etat_des_lieux_import,
    reservation_create,
    reservation_delete,
    reservation_update,
)
from flux.services.lecture import FichierIllisible
from flux.services.rapports import ImportRefuse
from reservataires.models import Role
from tests import factories
from tests.flux import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def roubaix(db):
    return factories.CommuneReservataireFactory(nom="Ville de Roubaix (test)")


@pytest.fixture
def patrimoine(bailleur, alice, tmp_path):
    rows = f.lignes(3, depcom="59512", programme="Les Tilleuls") + f.lignes(
        2, depcom="59350", programme="Lille Sud", debut=10
    )
    f.patrimoine(bailleur, alice, tmp_path, rows)


def test_a_loan_guarantee_right_ends_five_years_after_the_loan(bailleur, alice, roubaix, patrimoine):
    reservation = reservation_create(
        bailleur=bailleur,
        by=alice,
        reservataire=roubaix,
        departement="59",
        fondement=Fondement.GARANTIE_EMPRUNT,
        rpls_ids=["0000000001", "0000000002"],
        date_fin_pret=datetime.date(2036, 2, 29),
        reference="GAR-1",
    )
    assert reservation.date_fin == datetime.date(2041, 2, 28)
    assert reservation.nb_logements == 2  # the identified dwellings by default
    assert reservation.commune_id == "59512"  # a commune réservataire reserves in its own territory
    assert set(reservation.logements.values_list("rpls_id", flat=True)) == {"0000000001", "0000000002"}
    assert reservation.source == SourceReservation.SAISIE


def test_the_prefet_reserves_only_as_prefet_and_only_in_his_departement(bailleur, alice, prefet, als):
    with pytest.raises(ValidationError) as exc:
        reservation_create(bailleur=bailleur, by=alice, reservataire=prefet, departement="59",
                           fondement=Fondement.GARANTIE_EMPRUNT, nb_logements=3)  # fmt: skip
    assert "contingent préfectoral" in exc.value.message_dict["fondement"][0]
    with pytest.raises(ValidationError) as exc:
        reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                           fondement=Fondement.PREFET_AGENTS, nb_logements=3)  # fmt: skip
    assert "fondement" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        reservation_create(bailleur=bailleur, by=alice, reservataire=prefet, departement="62",
                           fondement=Fondement.PREFET_PRIORITAIRES, nb_logements=3)  # fmt: skip
    assert exc.value.message_dict["departement"] == ["Préfet du Nord (test) ne réserve que dans son département (59)."]


def test_dwellings_and_communes_must_belong_to_the_bailleur_and_the_territory(bailleur, alice, roubaix, patrimoine):
    with pytest.raises(ValidationError) as exc:
        reservation_create(bailleur=bailleur, by=alice, reservataire=roubaix, departement="59",
                           fondement=Fondement.APPORT, commune="59350", nb_logements=2)  # fmt: skip
    assert exc.value.message_dict["commune"] == ["Cette commune est hors du territoire de Ville de Roubaix (test)."]
    with pytest.raises(ValidationError) as exc:
        reservation_create(bailleur=bailleur, by=alice, reservataire=roubaix, departement="59",
                           fondement=Fondement.APPORT, rpls_ids=["0000000001", "9999999999"])  # fmt: skip
    assert exc.value.message_dict["rpls_ids"] == ["Logements absents du patrimoine du bailleur : 9999999999."]
    assert not ReservationStock.objects.exists()


def test_an_edit_is_refused_when_someone_saved_in_between(bailleur, alice, als):
    from core.concurrency import ConflictError

    reservation = reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                                     fondement=Fondement.ACTION_LOGEMENT, nb_logements=10)  # fmt: skip
    reservation_update(reservation=reservation, by=alice, expected_version=1, nb_logements=12)
    with pytest.raises(ConflictError):
        reservation_update(reservation=reservation, by=alice, expected_version=1, nb_logements=15)
    reservation.refresh_from_db()
    assert (reservation.nb_logements, reservation.lock_version) == (12, 2)


def test_only_the_bailleurs_drafters_write_the_inventory(bailleur, alice, bob, fede, als):
    reservation = reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                                     fondement=Fondement.ACTION_LOGEMENT, nb_logements=10)  # fmt: skip
    for user in (bob, fede):
        with pytest.raises(PermissionDenied):
            reservation_update(reservation=reservation, by=user, nb_logements=1)
        with pytest.raises(PermissionDenied):
            reservation_delete(reservation=reservation, by=user)
    reservation_delete(reservation=reservation, by=alice)
    assert not ReservationStock.objects.exists()


def test_the_line_is_visible_to_the_bailleur_the_reservataire_and_the_federation_only(
    bailleur, alice, bob, fede, charlie, als, prefet
):
    mine = reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                              fondement=Fondement.ACTION_LOGEMENT, nb_logements=10)  # fmt: skip
    other = reservation_create(bailleur=bailleur, by=alice, reservataire=prefet, departement="59",
                               fondement=Fondement.PREFET_PRIORITAIRES, nb_logements=10)  # fmt: skip
    assert set(ReservationStock.objects.visible_to(alice)) == {mine, other}
    assert set(ReservationStock.objects.visible_to(fede)) == {mine, other}
    assert set(ReservationStock.objects.visible_to(bob)) == {mine}  # ALS sees its own rights, not the préfet's
    assert not ReservationStock.objects.visible_to(charlie).exists()
    assert set(ReservationStock.objects.visible_to(alice, "edit")) == {mine, other}
    assert not ReservationStock.objects.visible_to(bob, "edit").exists()


# --- Browser pages -------------------------------------------------------------------------------------------
def test_a_drafter_adds_a_line_in_the_browser(client_for, bailleur, alice, als):
    client = client_for(alice)
    url = reverse("flux:stock_create", args=[bailleur.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reservataire": als.pk, "fondement": "action_logement", "departement": "59",
                                 "nb_logements": "40", "droit_de_suite": "on", "reference": "AL-7"})  # fmt: skip
    assert response.status_code == 302
    ligne = ReservationStock.objects.get()
    assert (ligne.reservataire, ligne.nb_logements, ligne.reference, ligne.droit_de_suite) == (als, 40, "AL-7", True)
    response = client.post(
        url, {"reservataire": als.pk, "fondement": "prefet_agents", "departement": "59", "nb_logements": "4"}
    )
    assert response.status_code == 200
    assert "Le contingent préfectoral est réservé au préfet" in response.content.decode()


def test_the_reservataire_reads_its_line_but_cannot_change_it(client_for, bailleur, alice, bob, als):
    ligne = reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                               fondement=Fondement.ACTION_LOGEMENT, nb_logements=10, reference="AL-1")  # fmt: skip
    client = client_for(bob)
    page = client.get(reverse("flux:stock_edit", args=[ligne.pk])).content.decode()
    assert "Lecture seule" in page and "AL-1" in page
    assert "AL-1" in client.get(reverse("flux:stock_list")).content.decode()
    assert client.post(reverse("flux:stock_edit", args=[ligne.pk]), {"nb_logements": "1"}).status_code == 403
    assert client.post(reverse("flux:stock_delete", args=[ligne.pk])).status_code == 403
    assert client.get(reverse("flux:stock_create", args=[bailleur.pk])).status_code == 404  # not his bailleur


def test_an_outsider_gets_404_everywhere(client_for, bailleur, alice, charlie, als):
    ligne = reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                               fondement=Fondement.ACTION_LOGEMENT, nb_logements=10, reference="AL-1")  # fmt: skip
    client = client_for(charlie)
    for url in (reverse("flux:stock_edit", args=[ligne.pk]), reverse("flux:stock_create", args=[bailleur.pk]),
                reverse("flux:stock_import", args=[bailleur.pk])):  # fmt: skip
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    assert "AL-1" not in client.get(reverse("flux:stock_list")).content.decode()
    assert "AL-1" not in client.get(reverse("flux:stock_export")).content.decode("utf-8-sig")


def test_the_export_lists_the_filtered_lines(client_for, bailleur, alice, als, prefet):
    reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                       fondement=Fondement.ACTION_LOGEMENT, nb_logements=10, reference="AL-1")  # fmt: skip
    reservation_create(bailleur=bailleur, by=alice, reservataire=prefet, departement="59",
                       fondement=Fondement.PREFET_PRIORITAIRES, nb_logements=30, reference="PR-1")  # fmt: skip
    texte = (
        client_for(alice).get(reverse("flux:stock_export") + "?fondement=action_logement").content.decode("utf-8-sig")
    )
    lignes = texte.splitlines()
    assert lignes[0].startswith("Bailleur;Réservataire;Département")
    assert len(lignes) == 2 and "AL-1" in lignes[1] and "PR-1" not in texte


# --- Spreadsheet import --------------------------------------------------------------------------------------
def _edl(tmp_path, lignes, nom="edl.csv"):
    path = tmp_path / nom
    path.write_text(
        "reference;reservataire;fondement;departement;nb_logements;commune;rpls_ids;date_fin_pret;taux_rotation\n"
        + "\n".join(";".join(ligne) for ligne in lignes) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return path


def test_an_inventory_import_resolves_reservataires_by_name_siren_or_id_and_reimports_by_reference(
    bailleur, alice, prefet, als, roubaix, patrimoine, tmp_path
):
    als.siren = "130018351"
    als.save()
    lignes = [
        ["PR-1", "préfet du nord (TEST)", "Contingent préfectoral – publics prioritaires", "59", "300", "", "", "", ""],
        ["AL-1", "130018351", "action logement", "59", "150", "", "", "", "11,5"],
        ["GA-1", str(roubaix.pk), "garantie", "59", "", "", "0000000001 0000000002", "30/06/2040", ""],
    ]
    stats = etat_des_lieux_import(bailleur=bailleur, path=_edl(tmp_path, lignes), by=alice)
    assert (stats["crees"], stats["mis_a_jour"]) == (3, 0)
    garantie = ReservationStock.objects.get(reference="GA-1")
    assert (garantie.nb_logements, garantie.date_fin, garantie.commune_id) == (2, datetime.date(2045, 6, 30), "59512")
    assert ReservationStock.objects.get(reference="AL-1").taux_rotation == 11.5
    lignes[0][4] = "280"
    stats = etat_des_lieux_import(bailleur=bailleur, path=_edl(tmp_path, lignes, "b.csv"), by=alice)
    assert (stats["crees"], stats["mis_a_jour"]) == (0, 3)
    assert ReservationStock.objects.count() == 3
    assert ReservationStock.objects.get(reference="PR-1").nb_logements == 280
    assert set(garantie.logements.values_list("rpls_id", flat=True)) == {"0000000001", "0000000002"}


def test_a_bad_inventory_line_rejects_the_whole_file_with_a_french_report(bailleur, alice, prefet, tmp_path):
    lignes = [
        ["PR-1", prefet.nom, "prefet_prioritaires", "59", "300", "", "", "", ""],
        ["PR-2", "Inconnu du bataillon", "prefet_prioritaires", "59", "30", "", "", "", ""],
        ["PR-3", prefet.nom, "bonne_volonte", "59", "dix", "", "", "", ""],
        ["PR-1", prefet.nom, "prefet_agents", "59", "10", "", "", "31/02/2030", ""],
    ]
    with pytest.raises(ImportRefuse) as exc:
        etat_des_lieux_import(bailleur=bailleur, path=_edl(tmp_path, lignes), by=alice)
    erreurs = {(e.ligne, e.colonne): e.message for e in exc.value.rapport.tries()}
    assert erreurs[(3, "réservataire")].startswith("Réservataire introuvable")
    assert erreurs[(4, "fondement")].startswith("Fondement inconnu")
    assert erreurs[(4, "logements réservés")] == "Nombre de logements invalide : entier attendu."
    assert erreurs[(5, "référence")] == "Référence en double dans le fichier : déjà ligne 2."
    assert erreurs[(5, "fin du prêt garanti")].startswith("Date invalide")
    assert not ReservationStock.objects.exists()


def test_an_inventory_file_without_reference_column_is_refused(bailleur, alice, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("reservataire;fondement;departement\nX;autre;59\n", encoding="utf-8")
    with pytest.raises(FichierIllisible, match="« référence »"):
        etat_des_lieux_import(bailleur=bailleur, path=path, by=alice)


# --- API -----------------------------------------------------------------------------------------------------
def test_the_api_creates_updates_and_deletes_lines_through_the_services(
    api_client_for, bailleur, alice, als, patrimoine
):
    api = api_client_for(alice)
    response = api.post("/api/v1/etat-des-lieux/", {
        "bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59", "fondement": "action_logement",
        "rpls_ids": ["0000000001"], "nb_logements": 3, "reference": "AL-API",
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    corps = response.json()
    assert corps["rpls_ids"] == ["0000000001"] and corps["lock_version"] == 1
    url = f"/api/v1/etat-des-lieux/{corps['id']}/"
    response = api.patch(url, {"nb_logements": 5, "lock_version": 1}, format="json")
    assert response.status_code == 200 and response.json()["nb_logements"] == 5
    response = api.patch(url, {"nb_logements": 6, "lock_version": 1}, format="json")
    assert response.status_code == 409
    response = api.post("/api/v1/etat-des-lieux/", {
        "bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59", "fondement": "prefet_agents",
        "nb_logements": 3,
    }, format="json")  # fmt: skip
    assert response.status_code == 400 and "contingent préfectoral" in response.json()["fondement"][0]
    assert api.delete(url).status_code == 204
    assert not ReservationStock.objects.exists()


def test_the_api_lets_the_reservataire_read_but_not_write(api_client_for, bailleur, alice, bob, charlie, als):
    ligne = reservation_create(bailleur=bailleur, by=alice, reservataire=als, departement="59",
                               fondement=Fondement.ACTION_LOGEMENT, nb_logements=10)  # fmt: skip
    url = f"/api/v1/etat-des-lieux/{ligne.pk}/"
    assert api_client_for(bob).get(url).status_code == 200
    assert api_client_for(bob).patch(url, {"nb_logements": 1}, format="json").status_code == 403
    assert api_client_for(charlie).get(url).status_code == 404
    assert api_client_for(charlie).get("/api/v1/etat-des-lieux/").json()["count"] == 0


def test_a_federation_reader_cannot_create_a_line(api_client_for, bailleur, fede, als):
    response = api_client_for(fede).post("/api/v1/etat-des-lieux/", {
        "bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59", "fondement": "action_logement",
        "nb_logements": 3,
    }, format="json")  # fmt: skip
    assert response.status_code == 403


def test_a_lecteur_of_the_bailleur_reads_the_page_without_the_add_buttons(client_for, bailleur):
    lecteur = factories.member(bailleur, Role.LECTEUR)
    page = client_for(lecteur).get(reverse("flux:stock_list")).content.decode()
    assert "Ajouter (" not in page
