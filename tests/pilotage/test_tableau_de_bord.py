"""Federation, réservataire and bailleur dashboards: scope, matrix, deadlines, charts, query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conventions.models import ConventionVersion, Statut
from pilotage import generator, selectors
from reservataires.models import Role, TypeOrganisation
from tests import factories
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(alice, bob, bailleur, als, prefet, federation):
    """Habitat Alice: ALS validated, préfet transmitted. A second adherent without any convention."""
    paul = factories.member(prefet, Role.REDACTEUR, email="paul@prefecture.fr")
    validee = conv.validee(bailleur, als, alice, bob)
    transmise = conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(25)})
    vide = factories.BailleurFactory(nom="Habitat Sans Convention", federation=federation)
    return {"validee": validee, "transmise": transmise, "vide": vide, "paul": paul}


def test_the_federation_sees_every_adherent_including_those_without_conventions(fede, federation, scene):
    m = selectors.matrice(selectors.Tableau(fede, federation, selectors.Filtres()))
    noms = [ligne["bailleur"]["nom"] for ligne in m.lignes]
    assert noms == ["Habitat Alice", "Habitat Sans Convention"]
    alice_row, empty_row = m.lignes
    by_type = {col["cle"]: cell for col, cell in alice_row["cellules"]}
    assert by_type[TypeOrganisation.ALS].compte == {Statut.VALIDEE: 1}
    assert by_type[TypeOrganisation.PREFET].compte == {Statut.EN_NEGOCIATION: 1}
    assert empty_row["total"] == 0
    assert [col["attendu"] for col, _ in empty_row["cellules"]][:2] == [True, True]


def test_the_dashboard_page_shows_the_matrix_statuses_and_missing_conventions(client_for, fede, scene):
    response = client_for(fede).get(reverse("pilotage:tableau_de_bord"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tableau de bord – URH Hauts-de-France (test)" in html
    assert "Habitat Sans Convention" in html and "aucune convention" in html
    assert "Validée" in html and "En négociation" in html
    assert "Non signées après la date limite légale" in html
    assert 'id="donnees-graphiques"' in html


def test_a_reservataire_sees_only_its_own_conventions_across_bailleurs(bob, als, scene):
    autre = factories.BailleurFactory(nom="Habitat Tiers")
    redac = factories.member(autre, email="redac@tiers.fr")
    conv.transmise(autre, als, redac)
    conv.transmise(autre, factories.PrefetFactory(), redac)
    m = selectors.matrice(selectors.Tableau(bob, als, selectors.Filtres()))
    assert [ligne["total"] for ligne in m.lignes] == [1, 1]
    assert {ligne["bailleur"]["nom"] for ligne in m.lignes} == {"Habitat Alice", "Habitat Tiers"}


def test_a_bailleur_sees_its_own_row(alice, bailleur, scene):
    m = selectors.matrice(selectors.Tableau(alice, bailleur, selectors.Filtres()))
    assert len(m.lignes) == 1 and m.lignes[0]["total"] == 2


def test_choosing_a_reservataire_type_shows_one_column_per_reservataire(fede, federation, scene, prefet):
    m = selectors.matrice(
        selectors.Tableau(fede, federation, selectors.Filtres(type_reservataire=TypeOrganisation.PREFET))
    )
    assert m.par_reservataire
    assert [c["libelle"] for c in m.colonnes] == [prefet.nom]


def test_counts_and_percentages_by_status(fede, federation, scene):
    statuts = {
        s["statut"]: (s["n"], s["pct"])
        for s in selectors.compte_par_statut(selectors.Tableau(fede, federation, selectors.Filtres()))
    }
    assert statuts[Statut.VALIDEE] == (1, 50.0)
    assert statuts[Statut.EN_NEGOCIATION] == (1, 50.0)
    assert statuts[Statut.SIGNEE] == (0, 0.0)


def test_deadlines_list_the_unsigned_and_the_versions_waiting_too_long(fede, federation, scene):
    alertes = {a.code: a for a in selectors.alertes(selectors.Tableau(fede, federation, selectors.Filtres()))}
    assert alertes["delai_legal"].total == 2
    assert alertes["approbation"].total == 0
    ConventionVersion.objects.filter(pk=scene["transmise"].version_courante_id).update(
        proposee_le=timezone.now() - timedelta(days=20)
    )
    alertes = {a.code: a for a in selectors.alertes(selectors.Tableau(fede, federation, selectors.Filtres()))}
    assert [c.pk for c in alertes["approbation"].conventions] == [scene["transmise"].pk]


def test_the_status_chart_counts_milestones_cumulatively(fede, federation, scene):
    data = selectors.statuts_dans_le_temps(selectors.Tableau(fede, federation, selectors.Filtres()), mois=3)
    series = {s["libelle"]: s["valeurs"] for s in data["series"]}
    assert series["Transmises"][-1] == 2
    assert series["Validées"][-1] == 1
    assert series["Signées"][-1] == 0
    assert len(data["mois"]) == 3


def test_the_objectives_chart_sums_epci_objectives_by_reservataire_type(alice, bob, bailleur, fede, federation):
    conv.transmise(
        bailleur,
        factories.ALSFactory(),
        alice,
        terms={"nombre_annuel": 10},
        objectifs=[{"epci": "200093201", "nombre": 7}, {"epci": "200042190", "nombre": 3}],
    )
    data = selectors.objectifs_par_epci(selectors.Tableau(fede, federation, selectors.Filtres()))
    assert data["epci"][0] == "Métropole Européenne de Lille"
    assert data["series"][0]["valeurs"][:2] == [7, 3]


def test_an_outsider_cannot_open_another_organisations_dashboard(client_for, charlie, federation, scene):
    response = client_for(charlie).get(reverse("pilotage:tableau_de_bord"), {"organisation": federation.pk})
    assert response.status_code == 404
    own = client_for(charlie).get(reverse("pilotage:tableau_de_bord"))
    assert own.status_code == 200 and "Habitat Alice" not in own.content.decode()


def test_filters_restrict_the_matrix(fede, federation, scene):
    m = selectors.matrice(selectors.Tableau(fede, federation, selectors.Filtres(statut=Statut.VALIDEE)))
    assert [ligne["total"] for ligne in m.lignes if ligne["bailleur"]["nom"] == "Habitat Alice"] == [1]
    m = selectors.matrice(selectors.Tableau(fede, federation, selectors.Filtres(departement="62")))
    assert all(ligne["total"] == 0 for ligne in m.lignes)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_runs_a_bounded_number_of_queries_whatever_the_data_size(client_for, fede, federation):
    client = client_for(fede)
    url = reverse("pilotage:tableau_de_bord")
    generator.generate(conventions=40, federation=federation, departements=["59"], seed=1, prefix="Petit")
    _queries(client, url)  # warms Django's content-type cache (used by the object permissions)
    small = _queries(client, url)
    generator.generate(conventions=400, federation=federation, departements=["59", "62"], seed=2, prefix="Grand")
    large = _queries(client, url)
    assert large == small
    assert small <= 25
    assert _queries(client, url + "?type_reservataire=commune") <= 25


def test_the_cached_dashboard_follows_every_convention_change(
    client_for, fede, alice, bob, bailleur, als, settings, django_capture_on_commit_callbacks
):
    from conventions import services as conv_services

    settings.PILOTAGE_CACHE_SECONDS = 300
    client = client_for(fede)
    url = reverse("pilotage:tableau_de_bord")
    with django_capture_on_commit_callbacks(execute=True):
        convention = conv.transmise(bailleur, als, alice)
    assert "Validée" not in client.get(url).content.decode().split('id="titre-matrice"')[1]
    cached = _queries(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        conv_services.version_approve(convention=convention, version=convention.version_courante, by=bob)
        conv_services.version_approve(convention=convention, version=convention.version_courante, by=alice)
    html = client.get(url).content.decode()
    assert "Validée" in html.split('id="titre-matrice"')[1]
    assert cached < _queries(client, url + "?statut=validee")
