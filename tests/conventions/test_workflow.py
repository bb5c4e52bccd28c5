"""Every status transition of a convention, allowed and refused, against PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from conventions import selectors, services, workflow
from conventions.models import Convention, ConventionVersion, EtatVersion, Evenement, Statut
from core.concurrency import ConflictError
from tests import factories
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


def statuts(convention):
    return list(Evenement.objects.filter(convention=convention).values_list("statut_apres", flat=True))


def test_a_bailleur_drafter_opens_a_draft_with_the_model_clauses(alice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    assert convention.statut == Statut.BROUILLON
    assert convention.numero == f"CR-59-{convention.pk:05d}"
    assert convention.perimetre_code == "59"
    draft = selectors.brouillon_de(convention)
    assert draft.numero == 1 and draft.organisation == bailleur
    assert draft.clauses.filter(cle="assiette").exists()
    event = Evenement.objects.get(convention=convention)
    assert (event.par, event.organisation) == (alice, bailleur)
    assert "Projet de convention ouvert avec" in event.message


def test_a_reader_or_a_reservataire_cannot_open_a_convention(alice_lectrice, bob, bailleur, als):
    with pytest.raises(PermissionDenied):
        conv.brouillon(bailleur, als, alice_lectrice)
    with pytest.raises(PermissionDenied):
        conv.brouillon(bailleur, als, bob)


def test_a_territorial_reservataire_gets_its_own_territory_as_perimetre(alice, bailleur):
    roubaix = factories.CommuneReservataireFactory(nom="Ville de Roubaix")
    mel = factories.EPCIReservataireFactory(nom="MEL", departement_id="59")
    c1 = conv.brouillon(bailleur, roubaix, alice)
    c2 = conv.brouillon(bailleur, mel, alice)
    assert (c1.perimetre_code, c1.departement_id) == ("COM-59512", "59")
    assert (c2.perimetre_code, c2.departement_id) == ("EPCI-200093201", "59")


def test_only_one_live_convention_per_bailleur_reservataire_and_departement(alice, bailleur, als):
    first = conv.brouillon(bailleur, als, alice)
    with pytest.raises(ValidationError) as exc:
        conv.brouillon(bailleur, als, alice)
    assert "une seule convention par réservataire et par département" in exc.value.messages[0]
    assert first.numero in exc.value.messages[0]
    # Another département is another convention.
    assert conv.brouillon(bailleur, als, alice, departement_id="62").perimetre_code == "62"


def test_the_database_itself_refuses_a_second_live_convention(alice, bailleur, als):
    first = conv.brouillon(bailleur, als, alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.create(bailleur=bailleur, reservataire=als, departement_id="59")
    services.convention_abandon(convention=first, by=alice)
    assert Convention.objects.create(bailleur=bailleur, reservataire=als, departement_id="59").pk


def test_transmitting_freezes_the_version_and_opens_negotiation(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    assert convention.statut == Statut.EN_NEGOCIATION
    version = convention.version_courante
    assert version.etat == EtatVersion.PROPOSEE and version.proposee_par == alice
    version.part_flux_pct = Decimal(99)
    with pytest.raises(ValidationError, match="figée"):
        version.save()
    with pytest.raises(ValidationError):
        version.delete()
    assert statuts(convention) == [Statut.BROUILLON, Statut.EN_NEGOCIATION]


def test_only_the_bailleur_transmits_the_first_draft(alice, bob, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    with pytest.raises(PermissionDenied):
        services.version_propose(convention=convention, by=bob)


def test_a_draft_is_visible_only_to_the_side_writing_it(alice, bob, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    assert draft in ConventionVersion.objects.visible_to(alice)
    assert draft not in ConventionVersion.objects.visible_to(bob)
    assert convention in Convention.objects.visible_to(bob)


def test_the_reservataire_counter_proposes_and_both_approve_the_same_version(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    v2 = conv.contre_proposition(convention, bob, part_flux_pct=Decimal("22.5"))
    assert (v2.numero, v2.organisation, v2.base.numero) == (2, als, 1)
    assert convention.version_courante == v2 and convention.statut == Statut.EN_NEGOCIATION

    services.version_approve(convention=convention, version=v2, by=bob)
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION
    services.version_approve(convention=convention, version=v2, by=alice)
    convention.refresh_from_db()
    assert convention.statut == Statut.VALIDEE
    event = Evenement.objects.filter(convention=convention).last()
    assert "les deux parties ont approuvé la version 2" in event.message


def test_approving_a_version_that_was_superseded_is_a_conflict(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    v1 = convention.version_courante
    conv.contre_proposition(convention, bob, part_flux_pct=Decimal(21))
    with pytest.raises(ConflictError, match="nouvelle version"):
        services.version_approve(convention=convention, version=v1, by=alice)


def test_approvals_of_an_older_version_do_not_count(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    services.version_approve(convention=convention, version=convention.version_courante, by=alice)
    v2 = conv.contre_proposition(convention, bob, part_flux_pct=Decimal(21))
    services.version_approve(convention=convention, version=v2, by=bob)
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION


def test_a_rule_violation_blocks_approval_but_not_drafting(alice, paul, bailleur, prefet):
    convention = conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(35)})
    assert convention.statut == Statut.EN_NEGOCIATION
    with pytest.raises(ValidationError) as exc:
        services.version_approve(convention=convention, version=convention.version_courante, by=paul)
    assert any("plafond de 30 %" in m for m in exc.value.messages)
    assert not convention.version_courante.approbations.exists()


def test_the_portfolio_rule_sees_the_other_conventions_of_the_departement(alice, bob, paul, bailleur, als, prefet):
    conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(30)})
    convention = conv.transmise(bailleur, als, alice, terms={"part_flux_pct": Decimal(75)})
    with pytest.raises(ValidationError) as exc:
        services.version_approve(convention=convention, version=convention.version_courante, by=bob)
    assert any("105 %" in m for m in exc.value.messages)


def test_readers_and_the_federation_cannot_approve(alice_lectrice, fede, alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    for user in (alice_lectrice, fede):
        with pytest.raises(PermissionDenied):
            services.version_approve(convention=convention, version=convention.version_courante, by=user)
    assert convention in Convention.objects.visible_to(fede)
    assert convention not in Convention.objects.visible_to(fede, "edit")


def test_reopening_a_validated_convention_withdraws_the_approvals(alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    services.convention_reopen(convention=convention, by=bob, motif="Erreur sur les délais")
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION
    assert selectors.approbations_actives(convention.version_courante) == {}
    services.version_approve(convention=convention, version=convention.version_courante, by=bob)
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION


def test_only_the_bailleur_launches_the_signature(alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    assert not workflow.may(convention, "lancer_signature", bob)
    assert workflow.may(convention, "lancer_signature", alice)
    with pytest.raises(PermissionDenied):
        workflow.check(convention, "lancer_signature", bob)


def test_a_transition_from_the_wrong_status_is_refused_in_french(alice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    with pytest.raises(ValidationError, match="Action « Approuver cette version » impossible : la convention est"):
        workflow.check(convention, "approuver", alice)


def test_two_editors_of_one_draft_never_overwrite_each_other(alice, bailleur, als):
    colleague = factories.member(bailleur, email="collegue@habitat-alice.fr")
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    loaded = draft.lock_version
    services.version_update(version=draft, by=alice, expected_lock_version=loaded, terms={"nb_candidats": 4})
    with pytest.raises(ConflictError, match="Quelqu'un a enregistré une modification entre-temps"):
        services.version_update(version=draft, by=colleague, expected_lock_version=loaded, terms={"nb_candidats": 2})
    draft.refresh_from_db()
    assert draft.nb_candidats == 4
    assert draft.lock_version == loaded + 1


def test_editing_a_draft_that_was_transmitted_meanwhile_is_a_conflict(alice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    services.version_propose(convention=convention, by=alice)
    with pytest.raises(ConflictError, match="transmise entre-temps"):
        services.version_update(version=draft, by=alice, expected_lock_version=draft.lock_version, terms={})


def test_only_one_side_drafts_at_a_time(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    services.version_draft_start(convention=convention, by=bob)
    with pytest.raises(ValidationError, match="rédige déjà une nouvelle version"):
        services.version_draft_start(convention=convention, by=alice)


def test_objectives_and_clauses_are_replaced_in_the_draft_and_sanitised(alice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    services.version_update(
        version=draft,
        by=alice,
        expected_lock_version=draft.lock_version,
        terms={"nombre_annuel": 12},
        objectifs=[{"epci": "200093201", "nombre": 10}, {"epci": "200093201", "commune": "59512", "nombre": 4}],
        clauses=[{"titre": "Objet", "texte": "<p>Texte <script>alert(1)</script><strong>gras</strong></p>"}],
    )
    draft.refresh_from_db()
    assert draft.objectifs.count() == 2
    clause = draft.clauses.get()
    assert clause.texte == "<p>Texte <strong>gras</strong></p>"
    assert {v.code for v in selectors.violations(draft)} == {"objectifs_total"}


def test_an_objective_outside_the_perimetre_is_reported(alice, bailleur, als):
    convention = conv.brouillon(
        bailleur, als, alice, terms={"nombre_annuel": 5}, objectifs=[{"epci": "200035442", "nombre": 5}]
    )
    violations = selectors.violations(selectors.brouillon_de(convention))
    assert [v.code for v in violations] == ["objectif_hors_perimetre"]


def test_an_avenant_is_a_later_version_of_the_same_convention(alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    _sign_for_test(convention)
    avenant = services.avenant_open(convention=convention, by=bob)
    convention.refresh_from_db()
    assert convention.statut == Statut.AVENANT_EN_COURS
    assert (avenant.avenant_numero, avenant.organisation, avenant.convention) == (1, als, convention)
    assert convention.version_en_vigueur.numero == 1
    services.version_update(
        version=avenant, by=bob, expected_lock_version=avenant.lock_version, terms={"part_flux_pct": Decimal(27)}
    )
    services.version_propose(convention=convention, by=bob)
    convention.refresh_from_db()
    services.version_approve(convention=convention, version=convention.version_courante, by=alice)
    services.version_approve(convention=convention, version=convention.version_courante, by=bob)
    convention.refresh_from_db()
    assert convention.statut == Statut.VALIDEE
    assert workflow.negociation_de(convention) == workflow.AVENANT
    assert workflow.may(convention, "rouvrir_avenant", alice) and not workflow.may(convention, "rouvrir", alice)
    assert Convention.objects.filter(bailleur=bailleur, reservataire=als).count() == 1


def test_abandoning_an_avenant_keeps_the_signed_version_in_force(alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    _sign_for_test(convention)
    services.avenant_open(convention=convention, by=alice)
    services.avenant_abandon(convention=convention, by=bob, motif="Finalement inutile")
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE
    assert convention.version_courante == convention.version_en_vigueur
    assert selectors.brouillon_de(convention) is None


def test_termination_needs_a_reason_and_a_signatory_or_administrator(
    alice, bob, bob_admin, alice_signataire, bailleur, als
):
    convention = conv.validee(bailleur, als, alice, bob)
    _sign_for_test(convention)
    with pytest.raises(PermissionDenied):
        services.convention_terminate(convention=convention, by=alice, motif="x")
    with pytest.raises(ValidationError):
        services.convention_terminate(convention=convention, by=bob_admin, motif=" ")
    services.convention_terminate(convention=convention, by=alice_signataire, motif="Manquements répétés")
    convention.refresh_from_db()
    assert convention.statut == Statut.RESILIEE and convention.motif_fin == "Manquements répétés"
    # The triple is free again for a new convention.
    assert conv.brouillon(bailleur, als, alice).statut == Statut.BROUILLON


def test_signed_conventions_past_their_end_expire_once_unless_tacitly_renewed(alice, bob, bailleur, als):
    ended = conv.validee(bailleur, als, alice, bob, terms={"reconduction_tacite": False})
    _sign_for_test(ended)
    other = factories.ALSFactory()
    renewed = conv.validee(bailleur, other, alice, factories.member(other), terms={"reconduction_tacite": True})
    _sign_for_test(renewed)
    assert services.conventions_expire(today=date(2029, 1, 1)) == 1
    assert services.conventions_expire(today=date(2029, 1, 1)) == 0
    ended.refresh_from_db()
    renewed.refresh_from_db()
    assert (ended.statut, renewed.statut) == (Statut.EXPIREE, Statut.SIGNEE)


def test_abandoning_a_negotiation_needs_an_administrator_and_a_reason(alice, alice_admin, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    with pytest.raises(PermissionDenied):
        services.convention_abandon(convention=convention, by=alice, motif="x")
    with pytest.raises(ValidationError):
        services.convention_abandon(convention=convention, by=alice_admin, motif="")
    services.convention_abandon(convention=convention, by=alice_admin, motif="Réservataire dissous")
    convention.refresh_from_db()
    assert convention.statut == Statut.ABANDONNEE


def test_comments_attach_to_a_term_or_a_clause_and_can_be_resolved(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    comment = services.comment_add(convention=convention, by=bob, texte="Trop haut", cible="terme:part_flux_pct")
    assert comment.version == convention.version_courante and comment.organisation == als
    on_clause = services.comment_add(convention=convention, by=bob, texte="À préciser", cible="clause:assiette")
    with pytest.raises(ValidationError):
        services.comment_add(convention=convention, by=bob, texte="?", cible="clause:inexistante")
    services.comment_resolve(commentaire=on_clause, by=alice)
    on_clause.refresh_from_db()
    assert on_clause.est_resolu and on_clause.resolu_par == alice
    messages = list(Evenement.objects.filter(convention=convention).values_list("message", flat=True))
    assert any("sur la version 1 (part du flux annuel (%))" in m for m in messages)
    assert any("marque comme résolu" in m for m in messages)


def test_the_redline_base_is_the_version_the_party_last_opened(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    services.convention_mark_seen(convention=convention, by=bob)
    v2 = conv.contre_proposition(convention, bob, part_flux_pct=Decimal(21))
    v3 = conv.contre_proposition(convention, bob, part_flux_pct=Decimal(22))
    assert selectors.base_de_comparaison(v3, bailleur).numero == 1  # alice saw v1 (she wrote it)
    assert selectors.base_de_comparaison(v3, als).numero == 2  # bob wrote v3 from v2
    services.convention_mark_seen(convention=convention, by=alice)
    assert selectors.base_de_comparaison(v3, bailleur) == v2


def test_every_change_is_journaled_with_its_author_and_organisation(alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    events = list(Evenement.objects.filter(convention=convention).select_related("par", "organisation"))
    assert [e.type for e in events] == ["creation", "proposition", "approbation", "approbation", "transition"]
    assert all(e.par is not None for e in events)
    assert [e.organisation for e in events[:4]] == [bailleur, bailleur, als, bailleur]


def test_the_status_documentation_matches_the_transition_table():
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "statuts-conventions.md").read_text()
    assert workflow.as_markdown_table() in doc, "docs/statuts-conventions.md : lancez manage.py statuts_doc"


def _sign_for_test(convention):
    """Bring a validated convention to "signée" through the workflow (signature details: tests/signature)."""
    with transaction.atomic():
        workflow.perform(convention, "lancer_signature", by=convention.cree_par, message="Signature lancée.")
        workflow.perform(
            convention,
            "finaliser",
            message="Signée.",
            version_en_vigueur=convention.version_courante,
        )
