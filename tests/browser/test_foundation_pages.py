import pytest

from reservataires.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bailleur_admin_logs_in_and_invites_a_colleague(page, login, screenshot, geography):
    bailleur = factories.BailleurFactory(nom="Habitat Navigateur")
    admin = factories.member(bailleur, Role.ADMINISTRATEUR, email="admin@navigateur.fr", first_name="Ada")

    login(admin)
    assert page.locator("h1").inner_text() == "Bonjour Ada"
    screenshot(page, "accueil")

    page.click("text=Habitat Navigateur")
    page.fill("input[name=email]", "nouveau@navigateur.fr")
    page.select_option("select[name=role]", Role.REDACTEUR)
    page.click("button:has-text('Ajouter')")
    assert "nouveau@navigateur.fr a été ajouté(e)" in page.locator(".alert-success").inner_text()
    assert page.locator("td", has_text="nouveau@navigateur.fr").count() == 1
    screenshot(page, "organisation-membres")
    assert page.js_errors == []


def test_an_outsider_opening_another_organisation_gets_the_french_404(page, login, geography):
    victim = factories.BailleurFactory(nom="Habitat Victime")
    outsider = factories.member(factories.BailleurFactory(), Role.ADMINISTRATEUR, email="intrus@ailleurs.fr")
    login(outsider)
    response = page.goto(f"{page.base_url}/organisations/{victim.pk}/")
    assert response.status == 404
    assert "Page introuvable" in page.content()
