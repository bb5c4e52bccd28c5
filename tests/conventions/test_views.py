"""Convention pages: who sees what, who may act, a full negotiation through the views, concurrent edits."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conventions import selectors, services
from conventions.models import Commentaire, Convention, ConventionVersion, Statut
from reservataires.models import Role
from tests import factories
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


def detail(convention):
    return reverse("conventions:convention_detail", kwargs={"pk": convention.pk})


def url(name, convention, **extra):
    return reverse(f"conventions:{name}", kwargs={"pk": convention.pk, **extra})


def login(user) -> Client:
    """A client of its own per persona (the ``client_for`` fixture shares one client)."""
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def edit_payload(client, convention, **changes) -> dict:
    """The draft editing form as the browser would post it, from the page itself, with ``changes``."""
    page = client.get(url("draft_edit", convention))
    assert page.status_code == 200
    form = page.context["form"]
    data = {"lock_version": form.initial["lock_version"], "resume": ""}
    draft = page.context["draft"]
    for name in form.fields:
        if name in ("lock_version", "resume"):
            continue
        value = form.initial.get(name, getattr(draft, name, None) if hasattr(draft, name) else None)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = str(value)
    for prefix in ("objectifs", "clauses", "annexes"):
        formset = page.context[prefix]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.initial or []))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(formset.initial or []))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(formset.initial or []):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = "" if value is None else str(value)
    data.update(changes)
    return data


# --- Who sees what ---------------------------------------------------------------------------------


def test_the_list_shows_each_party_its_conventions_with_filters(client_for, alice, bob, paul, bailleur, als, prefet):
    c1 = conv.transmise(bailleur, als, alice)
    c2 = conv.brouillon(bailleur, prefet, alice)
    client = client_for(alice)
    page = text(client.get(reverse("conventions:convention_list")))
    assert c1.numero in page and c2.numero in page
    assert "En négociation" in page and "Brouillon" in page
    filtered = text(client.get(reverse("conventions:convention_list"), {"statut": Statut.BROUILLON}))
    assert c2.numero in filtered and c1.numero not in filtered
    by_type = text(client.get(reverse("conventions:convention_list"), {"type_reservataire": "als"}))
    assert c1.numero in by_type and c2.numero not in by_type
    by_name = text(client.get(reverse("conventions:convention_list"), {"q": "Préfet du Nord"}))
    assert c2.numero in by_name and c1.numero not in by_name
    # Bob (ALS) sees his convention only.
    page = text(client_for(bob).get(reverse("conventions:convention_list")))
    assert c1.numero in page and c2.numero not in page


def test_the_nav_has_a_conventions_entry(client_for, alice):
    page = text(client_for(alice).get(reverse("home")))
    assert f'href="{reverse("conventions:convention_list")}"' in page and ">Conventions<" in page


def test_each_party_and_the_federation_open_the_convention_page(client_for, alice, bob, fede, bailleur, als):
    convention = conv.transmise(
        bailleur, als, alice, terms={"nombre_annuel": 10}, objectifs=[{"epci": "200093201", "nombre": 10}]
    )
    for user in (alice, bob, fede):
        response = client_for(user).get(detail(convention))
        assert response.status_code == 200
        page = text(response)
        assert convention.numero in page and "Habitat Alice" in page
        assert "Part du flux annuel (%)" in page and "25 %" in page
        assert "Métropole Européenne de Lille" in page
        assert "Objet et périmètre" in page
        assert "Projet de convention ouvert avec" in page  # the journal
    fede_page = text(client_for(fede).get(detail(convention)))
    assert "lecture seule" in fede_page
    assert 'action="' + url("approve", convention) not in fede_page
    assert "Ajouter le commentaire" not in fede_page
    bob_page = text(client_for(bob).get(detail(convention)))
    assert "Approuver la version 1" in bob_page and "Préparer une contre-proposition" in bob_page


def test_opening_the_page_marks_the_version_as_seen(client_for, bob, alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    assert selectors.version_vue_par(convention, als) is None
    client_for(bob).get(detail(convention))
    assert selectors.version_vue_par(convention, als) == convention.version_courante


def test_an_outsider_gets_404_on_every_convention_url(client_for, charlie, alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    comment = services.comment_add(convention=convention, by=bob, texte="Hum", cible="general")
    client = client_for(charlie)
    names = [
        "convention_detail",
        "draft_edit",
        "draft_propose",
        "draft_discard",
        "draft_start",
        "approve",
        "reopen",
        "abandon",
        "avenant_open",
        "avenant_abandon",
        "terminate",
        "start_signature",
        "comment_add",
    ]
    for name in names:
        assert client.get(url(name, convention)).status_code in (404, 405), name
        assert client.post(url(name, convention), {"version": convention.version_courante_id}).status_code == 404, name
    resolve = url("comment_resolve", convention, commentaire_pk=comment.pk)
    assert client.post(resolve).status_code == 404
    assert not Commentaire.objects.get(pk=comment.pk).est_resolu
    assert convention.numero not in text(client.get(reverse("conventions:convention_list")))


def test_an_unsent_draft_is_visible_only_to_its_party(client_for, alice, bob, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice, terms={"part_flux_pct": Decimal("17.5")})
    page = text(client_for(bob).get(detail(convention)))
    assert "prépare le projet de convention" in page
    assert "17,5 %" not in page
    assert client_for(bob).get(url("draft_edit", convention)).status_code == 404
    assert "17,5 %" in text(client_for(alice).get(detail(convention)))

    # During the negotiation, bob's counter-proposal draft stays hidden from alice until transmitted.
    services.version_propose(convention=convention, by=alice)
    draft = services.version_draft_start(convention=convention, by=bob)
    services.version_update(
        version=draft, by=bob, expected_lock_version=draft.lock_version, terms={"part_flux_pct": Decimal("12.5")}
    )
    alice_page = text(client_for(alice).get(detail(convention)))
    assert "12,5 %" not in alice_page
    assert (
        "Part du flux annuel (%)" not in alice_page.split("Journal")[-1]
    )  # the draft's edits are not journaled to her
    assert "prépare une nouvelle version" in alice_page
    assert client_for(alice).get(url("draft_edit", convention)).status_code == 404
    assert client_for(alice).get(detail(convention), {"version": draft.pk}).context["version"] != draft


def test_a_reader_sees_no_buttons_and_cannot_act(client_for, alice, alice_lectrice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    client = client_for(alice_lectrice)
    page = text(client.get(detail(convention)))
    assert "Transmettre à" not in page and "Modifier le projet" not in page
    assert client.get(url("draft_edit", convention)).status_code == 403
    assert client.post(url("draft_propose", convention)).status_code == 403
    convention.refresh_from_db()
    assert convention.statut == Statut.BROUILLON


def test_the_federation_cannot_act_either(client_for, fede, alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    response = client_for(fede).post(url("approve", convention), {"version": convention.version_courante_id})
    assert response.status_code == 403
    assert "habilité" in text(response)
    assert not convention.version_courante.approbations.exists()


# --- Creation --------------------------------------------------------------------------------------


def test_a_bailleur_drafter_creates_a_convention_and_a_duplicate_is_refused(client_for, alice, bailleur, als):
    client = client_for(alice)
    page = client.get(reverse("conventions:convention_create"))
    assert page.status_code == 200 and "Action Logement Services HdF (test)" not in text(page)
    options = text(client.get(reverse("conventions:reservataire_choices"), {"recherche": "logement hdf"}))
    assert f'<option value="{als.pk}">Action Logement Services HdF (test)' in options
    assert "Habitat Alice" not in options  # bailleurs are not réservataires
    assert "deux lettres" in text(client.get(reverse("conventions:reservataire_choices"), {"recherche": "a"}))
    response = client.post(
        reverse("conventions:convention_create"), {"bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59"}
    )
    convention = Convention.objects.get(bailleur=bailleur, reservataire=als)
    assert response.status_code == 302 and response["Location"] == url("draft_edit", convention)
    again = client.post(
        reverse("conventions:convention_create"), {"bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59"}
    )
    assert again.status_code == 200
    assert "une seule convention par réservataire et par département" in text(again)
    assert Convention.objects.filter(bailleur=bailleur, reservataire=als).count() == 1


def test_a_reservataire_cannot_open_the_creation_form(client_for, bob):
    assert client_for(bob).get(reverse("conventions:convention_create")).status_code == 403


# --- A whole negotiation through the pages ---------------------------------------------------------


def test_a_full_negotiation_through_the_views(alice, bob, bailleur, als):
    alice_client = login(alice)
    alice_client.post(
        reverse("conventions:convention_create"), {"bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59"}
    )
    convention = Convention.objects.get(bailleur=bailleur, reservataire=als)

    # Alice fills the terms, an EPCI objective, edits a clause, and transmits.
    data = edit_payload(
        alice_client,
        convention,
        date_debut="2026-01-01",
        date_fin="2028-12-31",
        part_flux_pct="25",
        nombre_annuel="40",
        **{"objectifs-TOTAL_FORMS": "1", "objectifs-0-epci": "200093201", "objectifs-0-nombre": "40"},
        **{"clauses-0-texte": "<p>La convention <strong>fixe</strong> les modalités.</p><script>x()</script>"},
        action="transmettre",
    )
    response = alice_client.post(url("draft_edit", convention), data)
    assert response.status_code == 302, text(response)[:3000]
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION
    v1 = convention.version_courante
    assert v1.objectifs.get().nombre == 40
    assert v1.clauses.get(cle="objet").texte == "<p>La convention <strong>fixe</strong> les modalités.</p>"

    # Bob reads it, counter-proposes a lower share and another clause wording.
    bob_client = login(bob)
    assert bob_client.get(detail(convention)).status_code == 200
    assert bob_client.post(url("draft_start", convention)).status_code == 302
    assert "Aucune modification enregistrée pour l'instant." in text(bob_client.get(url("draft_edit", convention)))
    data = edit_payload(
        bob_client,
        convention,
        part_flux_pct="20",
        **{"clauses-0-texte": "<p>La convention <strong>détermine</strong> les modalités.</p>"},
        resume="Part ramenée à 20 %",
        action="transmettre",
    )
    assert bob_client.post(url("draft_edit", convention), data).status_code == 302
    convention.refresh_from_db()
    v2 = convention.version_courante
    assert v2.numero == 2 and v2.part_flux_pct == Decimal(20)
    assert v2.resume == "Part ramenée à 20 %"

    # Alice sees the redline against v1: the share and the clause words.
    page = text(alice_client.get(detail(convention)))
    assert "Modifications depuis la version 1" in page
    assert '<del class="diff-del">25 %</del>' in page and '<ins class="diff-ins">20 %</ins>' in page
    assert '<del class="diff-del">fixe</del><ins class="diff-ins">détermine</ins>' in page

    # A comment on the share (htmx), then resolved.
    response = alice_client.post(
        url("comment_add", convention),
        {"version": v2.pk, "cible": "terme:part_flux_pct", "texte": "D'accord pour 20 %."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "D&#x27;accord pour 20 %." in text(response)
    assert 'id="commentaires"' in text(response) and "<html" not in text(response)
    comment = Commentaire.objects.get(convention=convention)
    assert comment.cible == "terme:part_flux_pct" and comment.version == v2
    response = bob_client.post(url("comment_resolve", convention, commentaire_pk=comment.pk), HTTP_HX_REQUEST="true")
    assert "Résolu le" in text(response)
    comment.refresh_from_db()
    assert comment.resolu_par == bob

    # Both approve v2.
    assert alice_client.post(url("approve", convention), {"version": v2.pk}).status_code == 302
    response = bob_client.post(url("approve", convention), {"version": v2.pk}, follow=True)
    assert "Convention : validée" in text(response), re.findall(r'role="alert">([^<]*)', text(response))
    convention.refresh_from_db()
    assert convention.statut == Statut.VALIDEE
    page = text(alice_client.get(detail(convention)))
    assert "Validée" in page and "Lancer la signature" in page
    assert page.count("Approuvée le") == 2

    # Alice launches the signature (the transition only).
    assert alice_client.post(url("start_signature", convention)).status_code == 302
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_SIGNATURE


def test_approving_a_superseded_version_shows_the_conflict(client_for, alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    v1 = convention.version_courante
    conv.contre_proposition(convention, bob, part_flux_pct=Decimal(21))
    response = client_for(alice).post(url("approve", convention), {"version": v1.pk}, follow=True)
    assert "Une nouvelle version a été transmise entre-temps" in text(response)
    assert not v1.approbations.exists()


def test_a_blocking_rule_disables_approval_and_the_service_refuses_it(client_for, alice, paul, bailleur, prefet):
    convention = conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(35)})
    client = client_for(paul)
    page = text(client.get(detail(convention)))
    assert "dépasse le plafond de 30 %" in page
    assert "Règles bloquantes non respectées" in page
    response = client.post(url("approve", convention), {"version": convention.version_courante_id}, follow=True)
    assert "ne peut pas être approuvée" in text(response)
    assert not convention.version_courante.approbations.exists()


def test_the_draft_page_shows_rule_violations_after_saving_without_blocking(client_for, alice, bailleur, prefet):
    convention = conv.brouillon(bailleur, prefet, alice)
    client = client_for(alice)
    data = edit_payload(client, convention, part_flux_pct="40", action="enregistrer")
    response = client.post(url("draft_edit", convention), data, follow=True)
    assert "Projet enregistré." in text(response)
    assert "dépasse le plafond de 30 %" in text(response)
    assert selectors.brouillon_de(convention).part_flux_pct == Decimal(40)


def test_abandon_needs_a_reason_through_the_page(client_for, alice_admin, alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    client = client_for(alice_admin)
    page = text(client.get(detail(convention)))
    assert "Abandonner la négociation" in page
    response = client.post(url("abandon", convention), {"motif": ""}, follow=True)
    assert "Indiquez le motif" in text(response)
    client.post(url("abandon", convention), {"motif": "Réservataire dissous"})
    convention.refresh_from_db()
    assert convention.statut == Statut.ABANDONNEE and convention.motif_fin == "Réservataire dissous"


def test_writes_are_post_only(client_for, alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    client = client_for(alice)
    for name in ("draft_propose", "approve", "reopen", "abandon", "start_signature", "comment_add"):
        assert client.get(url(name, convention)).status_code == 405, name


# --- Concurrent edits ------------------------------------------------------------------------------


def test_two_editors_of_one_draft_never_overwrite_each_other(alice, bailleur, als):
    colleague = factories.member(bailleur, Role.REDACTEUR, email="collegue@habitat-alice.fr")
    convention = conv.brouillon(bailleur, als, alice)
    alice_client = login(alice)
    first = edit_payload(alice_client, convention, nb_candidats="4", action="enregistrer")
    other = login(colleague)
    second = edit_payload(other, convention, nb_candidats="2", delai_signalement_jours="15", action="enregistrer")
    second["clauses-0-titre"] = "Objet de la convention (titre du collègue)"
    assert first["lock_version"] == second["lock_version"]

    assert alice_client.post(url("draft_edit", convention), first).status_code == 302
    response = other.post(url("draft_edit", convention), second)
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu&#x27;un a enregistré une modification entre-temps" in page
    # The colleague's input is kept on the page…
    assert re.search(r'name="nb_candidats"[^>]*value="2"', page)
    assert re.search(r'name="delai_signalement_jours"[^>]*value="15"', page)
    assert "Objet de la convention (titre du collègue)" in page
    # …with what differs from what alice saved.
    assert "4 candidats" in page and "2 candidats" in page
    # The database keeps the first save.
    draft = selectors.brouillon_de(convention)
    assert (draft.nb_candidats, draft.delai_signalement_jours) == (4, 8)
    assert draft.clauses.get(cle="objet").titre == "Objet et périmètre"
    assert ConventionVersion.objects.filter(convention=convention).count() == 1


def test_an_annexe_file_is_uploaded_with_its_hash_and_downloaded_by_the_other_party(
    alice, bob, bailleur, als, settings, tmp_path
):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    convention = conv.brouillon(bailleur, als, alice)
    client = login(alice)
    content = b"%PDF-1.4 etat des lieux"
    data = edit_payload(
        client,
        convention,
        **{"annexes-TOTAL_FORMS": "1", "annexes-0-titre": "État des lieux", "annexes-0-texte": "Au 31/12/2025"},
        action="transmettre",
    )
    data["annexes-0-fichier"] = SimpleUploadedFile("etat-des-lieux.pdf", content, content_type="application/pdf")
    assert client.post(url("draft_edit", convention), data).status_code == 302
    convention.refresh_from_db()
    annexe = convention.version_courante.annexes.get()
    assert annexe.sha256 == hashlib.sha256(content).hexdigest()

    bob_client = login(bob)
    page = text(bob_client.get(detail(convention)))
    assert "État des lieux" in page and annexe.sha256 in page
    response = bob_client.get(url("annexe_download", convention, annexe_pk=annexe.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert 'attachment; filename="etat-des-lieux' in response["Content-Disposition"]

    # A counter-proposal keeps the file; a refused format is a form error, nothing saved.
    services.version_draft_start(convention=convention, by=bob)
    data = edit_payload(bob_client, convention, action="enregistrer")
    data["annexes-0-fichier"] = SimpleUploadedFile("script.exe", b"MZ", content_type="application/octet-stream")
    response = bob_client.post(url("draft_edit", convention), data)
    assert response.status_code == 200 and "Format de fichier non accepté (.exe)" in text(response)
    assert selectors.brouillon_de(convention).annexes.get().sha256 == annexe.sha256


def test_objective_choices_are_limited_to_the_perimetre(alice, bailleur, als):
    from tests import factories as f

    convention = conv.brouillon(bailleur, als, alice)
    page = text(login(alice).get(url("draft_edit", convention)))
    assert '<option value="200093201">Métropole Européenne de Lille</option>' in page
    assert "CU d&#x27;Arras" not in page and "200035442" not in page  # Pas-de-Calais: outside the périmètre
    assert re.search(r'<option value="59512" data-epci="200093201">Roubaix</option>', page)
    # A commune réservataire's convention offers its own EPCI and commune only.
    roubaix = f.CommuneReservataireFactory(nom="Ville de Roubaix")
    territorial = conv.brouillon(bailleur, roubaix, alice)
    page = text(login(alice).get(url("draft_edit", territorial)))
    assert 'data-epci="200093201">Roubaix</option>' in page
    assert ">Lille</option>" not in page and "Douaisis" not in page


def test_the_draft_page_recaps_what_was_saved_since_the_base_version(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    draft = services.version_draft_start(convention=convention, by=bob)
    services.version_update(
        version=draft, by=bob, expected_lock_version=draft.lock_version, terms={"part_flux_pct": Decimal(21)}
    )
    page = text(login(bob).get(url("draft_edit", convention)))
    assert "Enregistré depuis la version 1" in page
    assert '<del class="diff-del">25 %</del> → <ins class="diff-ins">21 %</ins>' in page
