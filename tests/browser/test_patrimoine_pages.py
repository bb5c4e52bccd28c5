"""The patrimoine journey in Chromium: overview, import with its error report, conversion, synthesis."""

import datetime

import pytest

from flux import generateur
from reservataires.models import Role, TypeOrganisation
from tests import factories
from tests.flux import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monde(geography):
    federation = factories.FederationFactory(nom="URH Hauts-de-France (navigateur)")
    bailleur = factories.BailleurFactory(
        nom="Nord Habitat (navigateur)", type=TypeOrganisation.OPH, federation=federation
    )
    redactrice = factories.member(bailleur, Role.REDACTEUR, email="redac@nord-habitat.fr", first_name="Camille")
    fournis = {
        "prefet:59": factories.PrefetFactory(nom="Préfet du Nord (navigateur)"),
        "als:32": factories.ALSFactory(nom="Action Logement Services HdF (navigateur)"),
        "commune:59512": factories.CommuneReservataireFactory(nom="Ville de Roubaix (navigateur)"),
        "epci:200093201": factories.EPCIReservataireFactory(nom="Métropole Européenne de Lille (navigateur)"),
    }
    geo = generateur.charger(["59"])
    generateur.inserer_logements(
        generateur.iter_logements([generateur.Allocation("B", 1, "59", 3000)], geo, seed=11), {"B": bailleur.pk}
    )
    generateur.generer_inventaire([bailleur], annee=datetime.date.today().year, seed=11, fournis=fournis)
    return bailleur, redactrice


def test_a_drafter_reviews_the_patrimony_and_converts_it(page, login, screenshot, monde):
    bailleur, redactrice = monde
    login(redactrice)
    page.click("nav .dropdown-toggle:text-is('Patrimoine')")
    page.click("nav .dropdown-item:text-is('Patrimoine')")
    page.click(f"text={bailleur.nom}")
    assert page.locator(".card .fs-3").first.inner_text().replace("\xa0", " ") == "3 000"
    page.wait_for_function("document.querySelector('canvas.js-chart').width > 0")
    screenshot(page, "patrimoine-vue-ensemble")

    page.click("text=Conversion en flux")
    page.select_option("select[name=perimetre]", "D:59")
    page.check("input[value=ratio_simple]")
    page.click("button:has-text('Calculer')")
    page.wait_for_selector("h2:has-text('Part de chaque réservataire')")
    assert page.locator("table").first.locator("tbody tr", has_text="Préfet du Nord (navigateur)").count() == 1
    page.click("button:has-text('Recalculer pondéré par la rotation')")
    page.wait_for_selector("text=Recalcul avec la méthode")
    assert "Ratio pondéré par la rotation" in page.content()
    screenshot(page, "conversion-detail")

    page.click("nav .dropdown-toggle:text-is('Patrimoine')")
    page.click("nav .dropdown-item:text-is('Synthèse')")
    assert page.locator("tbody tr", has_text=bailleur.nom).count() == 1
    screenshot(page, "synthese")
    assert page.js_errors == []


def test_a_bad_rpls_file_shows_its_french_report_while_the_worker_runs(
    page, login, screenshot, monde, celery_worker_redis, tmp_path
):
    bailleur, redactrice = monde
    login(redactrice)
    page.goto(f"{page.base_url}/flux/patrimoine/{bailleur.pk}/import/")
    screenshot(page, "patrimoine-import")
    rows = f.lignes(3) + [f.ligne(rpls_id="0000000002", depcom="59999", finan="ZZ")]
    page.set_input_files("input[name=fichier]", f.fichier_csv(tmp_path / "rpls.csv", rows, encoding="cp1252"))
    page.click("button:has-text('Lancer l')")
    page.wait_for_selector("text=Rapport ligne par ligne", timeout=60_000)
    texte = page.content()
    assert "Identifiant RPLS en double dans le fichier : aussi ligne 5." in texte
    assert "Commune inconnue du code officiel géographique" in texte
    assert "Télécharger le rapport complet (CSV)" in texte
    screenshot(page, "patrimoine-import-rapport")
    assert page.js_errors == []
