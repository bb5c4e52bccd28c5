import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_health_check_reports_database_and_cache(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"base_de_donnees": "ok", "cache": "ok"}


def test_the_home_page_is_french_and_lists_the_users_organisations(client_for, alice, bailleur):
    response = client_for(alice).get(reverse("home"))
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "Mes organisations" in content
    assert bailleur.nom in content


def test_pages_carry_a_strict_content_security_policy(client_for, alice):
    response = client_for(alice).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_templates_have_no_inline_script_or_style_attribute():
    """The CSP forbids them; a template using one would break silently in the browser."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text):
            offenders.append(str(path))
    assert offenders == []


def test_unknown_pages_answer_a_french_404(client_for, alice):
    response = client_for(alice).get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_api_docs_and_schema_are_served(client_for, alice):
    client = client_for(alice)
    assert client.get(reverse("api-docs")).status_code == 200
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "API Flux réservations"


def test_identifiers_are_never_printed_with_a_thousands_separator(client_for, alice, bailleur):
    """An <option value="1 302"> would point to no object: integers in templates stay plain."""
    from django.template import Context, Template

    assert Template("{{ n }}").render(Context({"n": 1302})) == "1302"
    assert Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": 1302})) in ("1\u202f302", "1\xa0302")
