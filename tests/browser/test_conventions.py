"""The main journey in Chromium: the bailleur drafts and transmits, the réservataire counter-proposes,
the bailleur reads the redline and approves, the réservataire approves, the PDF is produced by a real
Celery worker, both signatories sign after re-authenticating, the federation sees it signed on its
dashboard and in the convention's journal, and the public verification page recognises the file.

Each user has a browser context of their own (their own session), all watched for JS and CSP errors.
"""

import pytest

from conventions.models import Convention, Statut

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(browser, page):
    """A page in a fresh context (another user's session), watched for errors like the ``page`` fixture."""
    contexts = []

    def _open():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        contexts.append(context)
        other = context.new_page()
        other.set_default_timeout(15_000)
        other.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        other.on(
            "console",
            lambda msg: (
                page.js_errors.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        other.on("dialog", lambda dialog: dialog.accept())
        return other

    yield _open
    for context in contexts:
        context.close()


def _edit_clause(p, text):
    """Replace the first clause's text through the rich-text editor, then make its last word bold."""
    editor = p.locator(".rte-editor").first
    editor.click()
    p.keyboard.press("Control+A")
    p.keyboard.type(text)
    p.keyboard.press("End")
    p.keyboard.press("Shift+Control+ArrowLeft")
    p.locator(".rte-toolbar").first.locator("[data-rte-cmd=bold]").click()
    assert "<b>" in editor.inner_html() or "<strong>" in editor.inner_html()


def test_the_main_journey_from_draft_to_signature_in_the_browser(
    page,
    login,
    screenshot,
    open_page,
    geography,
    alice,
    bob,
    fede,
    bailleur,
    als,
    celery_worker_redis,
    settings,
    tmp_path,
):
    from conventions import pki
    from reservataires.models import Role
    from tests import factories

    settings.PKI_DIR, settings.MEDIA_ROOT = tmp_path / "pki", tmp_path / "media"
    pki.ensure_ca()
    helene = factories.member(
        bailleur, Role.SIGNATAIRE, email="dg@habitat-alice.fr", first_name="Hélène", last_name="Martin"
    )
    marc = factories.member(als, Role.SIGNATAIRE, email="dr@als.fr", first_name="Marc", last_name="Petit")
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. Alice (bailleur) opens a convention with Action Logement, found through the directory search.
    login(alice)
    page.click("nav >> text=Conventions")
    page.click("text=Nouvelle convention")
    page.wait_for_load_state("load")  # htmx is bound to the search field once the page has loaded
    page.locator("#recherche-reservataire").press_sequentially("Action Logement", delay=20)
    page.wait_for_selector(f"#id_reservataire option[value='{als.pk}']", state="attached")
    page.select_option("#id_reservataire", str(als.pk))
    page.select_option("#id_departement", "59")
    screenshot(page, "conventions-01-creation")
    page.click("button:has-text('Ouvrir le projet de convention')")
    page.wait_for_selector("h1:has-text('Projet de version 1')")

    # 2. She fills the terms, an EPCI objective, rewrites a clause in the rich-text editor, and transmits.
    page.fill("#id_date_debut", "2026-01-01")
    page.fill("#id_date_fin", "2028-12-31")
    page.fill("#id_part_flux_pct", "25")
    page.fill("#id_nombre_annuel", "40")
    page.click("[data-formset-ajouter=objectifs]")
    page.select_option("select[name='objectifs-0-epci']", "200093201")
    page.fill("input[name='objectifs-0-nombre']", "40")
    page.fill("input[name='objectifs-0-nombre_hors_qpv']", "28")
    page.click("[data-formset-ajouter=objectifs]")
    page.select_option("select[name='objectifs-1-epci']", "200093201")
    communes = page.locator("select[name='objectifs-1-commune']")
    hidden = communes.evaluate("s => Array.from(s.options).filter(o => o.hidden).map(o => o.value)")
    assert "59178" in hidden and "59512" not in hidden  # Douai is not in the MEL, Roubaix is
    communes.select_option("59512")
    page.fill("input[name='objectifs-1-nombre']", "10")
    _edit_clause(page, "La présente convention fixe les modalités de la gestion en flux")
    page.click("button[value=enregistrer]")
    page.wait_for_selector(".alert-success:has-text('Projet enregistré.')")
    assert page.locator(".conv-controles").inner_text().count("Aucune règle enfreinte") == 1
    screenshot(page, "conventions-02-projet-bailleur")
    page.click("button[value=transmettre]")
    page.wait_for_selector(".alert-success:has-text('Version 1 transmise')")
    assert "En négociation" in page.locator("header").inner_text()
    screenshot(page, "conventions-03-transmise")
    convention = Convention.objects.get()
    clause = convention.version_courante.clauses.get(cle="objet")
    assert clause.texte == "<p>La présente convention fixe les modalités de la gestion en <strong>flux</strong></p>"

    # 3. Bob (Action Logement) sees it and counter-proposes a lower share and another wording.
    bob_page = open_page()
    login(bob, target_page=bob_page)
    bob_page.click("nav >> text=Conventions")
    bob_page.click(f"text={convention.numero}")
    assert "25 %" in bob_page.locator("#panneau-version").inner_text()
    objectifs = bob_page.locator(".conv-objectifs").inner_text()
    assert "Métropole Européenne de Lille" in objectifs and "Roubaix" in objectifs
    screenshot(bob_page, "conventions-04-reservataire-lit")
    bob_page.click("button:has-text('Préparer une contre-proposition')")
    bob_page.wait_for_selector("h1:has-text('Projet de version 2')")
    bob_page.fill("#id_part_flux_pct", "20")
    _edit_clause(bob_page, "La présente convention détermine les modalités de la gestion en flux")
    bob_page.fill("#id_resume", "Part ramenée à 20 % et rédaction de l'objet")
    screenshot(bob_page, "conventions-05-contre-proposition")
    bob_page.click("button[value=transmettre]")
    bob_page.wait_for_selector(".alert-success:has-text('Version 2 transmise')")

    # 4. Alice reads the redline against the version she last saw, comments, and approves.
    page.reload()
    page.click("#onglet-redline")
    redline = page.locator("#panneau-redline")
    redline.locator("del.diff-del", has_text="25 %").wait_for()
    assert redline.locator("ins.diff-ins", has_text="20 %").count() == 1
    assert redline.locator("del.diff-del", has_text="fixe").count() == 1
    assert redline.locator("ins.diff-ins", has_text="détermine").count() == 1
    screenshot(page, "conventions-06-redline")
    page.click("#onglet-version")
    page.locator("#terme-part_flux_pct [data-commenter]").click()
    page.fill("#id_texte", "Nous acceptons 20 %.")
    page.click("button:has-text('Ajouter le commentaire')")
    page.locator("#commentaires", has_text="Nous acceptons 20 %.").wait_for()
    assert "part du flux annuel (%)" in page.locator("#commentaires").inner_text()
    page.click("button:has-text('Approuver la version 2')")
    page.wait_for_selector(".alert-success:has-text('Version 2 approuvée')")
    screenshot(page, "conventions-07-bailleur-approuve")

    # 5. Bob resolves the comment and approves: the convention is validée.
    bob_page.reload()
    bob_page.click("button:has-text('Marquer comme résolu')")
    bob_page.locator("#commentaires", has_text="Résolu le").wait_for()
    bob_page.click("button:has-text('Approuver la version 2')")
    bob_page.wait_for_selector(".alert-success:has-text('Convention : validée')")
    assert "Validée" in bob_page.locator("header .badge").inner_text()
    screenshot(bob_page, "conventions-08-validee")
    convention.refresh_from_db()
    assert convention.statut == Statut.VALIDEE

    # 6. Alice launches the signature: a Celery worker (real Redis broker) produces the PDF.
    page.reload()
    page.click("button:has-text('Lancer la signature')")
    page.wait_for_selector(".alert-success:has-text('Signature lancée')")
    for _ in range(60):
        if "Prêt à signer" in page.locator("#titre-signature + .card-body").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "Prêt à signer" in page.locator("#titre-signature + .card-body").inner_text()
    screenshot(page, "conventions-09-pret-a-signer")

    # 7. Hélène (signataire of the bailleur) reads the document, then signs with her password.
    helene_page = open_page()
    login(helene, target_page=helene_page)
    helene_page.goto(f"{page.base_url}/conventions/{convention.pk}/")
    helene_page.click("text=Lire le document")
    assert "Conditions de la convention" in helene_page.content()
    screenshot(helene_page, "conventions-10-apercu-document")
    helene_page.go_back()
    helene_page.click("text=Signer la convention")
    helene_page.fill("#id_mot_de_passe", "mot-de-passe-de-test")
    screenshot(helene_page, "conventions-11-signature-bailleur")
    helene_page.click("button:has-text('Signer')")
    helene_page.wait_for_selector(".alert-success:has-text('Signature apposée')")

    # 8. Marc (signataire of Action Logement) signs: the convention is signée.
    marc_page = open_page()
    login(marc, target_page=marc_page)
    marc_page.goto(f"{page.base_url}/conventions/{convention.pk}/signer/")
    marc_page.fill("#id_mot_de_passe", "mot-de-passe-de-test")
    marc_page.click("button:has-text('Signer')")
    marc_page.wait_for_selector(".alert-success:has-text('la convention est signée par les deux parties')")
    assert "Signée" in marc_page.locator("header .badge").inner_text()
    screenshot(marc_page, "conventions-12-signee")
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE
    document = convention.documents.get()

    # 9. The federation sees it signed on its dashboard, then opens it read-only with its journal.
    fede_page = open_page()
    login(fede, target_page=fede_page)
    fede_page.click("nav >> text=Tableau de bord")
    matrice = fede_page.locator("table.matrice").inner_text()
    assert "Habitat Alice" in matrice and "Signée" in matrice
    screenshot(fede_page, "conventions-13-tableau-de-bord-federation")
    fede_page.goto(f"{page.base_url}/conventions/{convention.pk}/")
    assert "lecture seule" in fede_page.locator("header").inner_text()
    assert fede_page.locator(".conv-actions").count() == 0
    assert fede_page.locator("button:has-text('Approuver')").count() == 0
    journal = fede_page.locator(".conv-journal").inner_text()
    assert "Convention validée" in journal and "Convention signée par les deux parties" in journal
    screenshot(fede_page, "conventions-14-federation-journal")

    # 10. Anyone can check the signed file on the public verification page.
    anonymous = open_page()
    anonymous.goto(f"{page.base_url}/verification/")
    anonymous.set_input_files("#id_fichier", document.fichier.path)
    anonymous.click("button:has-text('Vérifier')")
    anonymous.wait_for_selector(".alert-success:has-text('Document authentique')")
    assert document.reference in anonymous.locator("main").inner_text()
    screenshot(anonymous, "conventions-15-verification")

    assert page.js_errors == []


def test_two_colleagues_editing_one_draft_see_a_conflict_and_lose_nothing(
    page, login, screenshot, open_page, geography, alice, bailleur, als
):
    from tests import factories
    from tests.conventions import factories as conv

    colleague = factories.member(bailleur, email="collegue@habitat-alice.fr", first_name="Chloé")
    convention = conv.brouillon(bailleur, als, alice)
    edit = f"{page.base_url}/conventions/{convention.pk}/projet/"

    login(alice)
    page.goto(edit)
    other = open_page()
    login(colleague, target_page=other)
    other.goto(edit)

    page.fill("#id_nb_candidats", "4")
    page.click("button[value=enregistrer]")
    page.wait_for_selector(".alert-success:has-text('Projet enregistré.')")

    other.fill("#id_nb_candidats", "2")
    _edit_clause(other, "Texte du collègue à ne pas perdre")
    other.click("button[value=enregistrer]")
    other.wait_for_selector(".conv-conflit")
    assert "Quelqu'un a enregistré une modification entre-temps" in other.locator(".conv-conflit").inner_text()
    assert other.input_value("#id_nb_candidats") == "2"
    assert "Texte du collègue à ne pas perdre" in other.locator(".rte-editor").first.inner_text()
    assert "4 candidats" in other.locator(".conv-conflit table").inner_text()
    screenshot(other, "conventions-10-conflit")

    page.goto(f"{page.base_url}/conventions/")
    assert convention.numero in page.locator("table").inner_text()
    screenshot(page, "conventions-11-liste")
    page.click("text=Contrôle du portefeuille")
    assert "Aucune règle bloquante" in page.locator("main").inner_text()
    screenshot(page, "conventions-12-portefeuille")
    assert page.js_errors == []
