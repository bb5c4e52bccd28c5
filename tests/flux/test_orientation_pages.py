"""Orientation pages: declare (hand-computed proposal shown, confirm or motivated override), follow,
réservataire's pending dwellings and candidates, CALEOL outcome, optimistic locking."""

import datetime

import pytest
from django.urls import reverse

from flux.models import Orientation, SourceDeclaration, StatutOrientation
from flux.services.orientation import declarer
from flux.services.orientation.echeances import notifier
from tests.flux.world_orientation import allocations, logement

JOUR = datetime.date(2026, 3, 2)


def _declare(bailleur, **kw):
    return declarer(
        logement=logement(bailleur), date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.API, **kw
    )


def _saisie(bailleur, lgt, **extra):
    return {
        "bailleur": bailleur.pk,
        "rpls_id": lgt.rpls_id,
        "nature": "relocation",
        "date_disponibilite": "2026-03-05",
        **extra,
    }


@pytest.mark.django_db
def test_la_page_montre_la_proposition_calculee_a_la_main_puis_confirme(client_for, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3, None: 1})
    _declare(bailleur)  # D = 1, ALS a reçu 1
    lgt = logement(bailleur)
    client = client_for(alice)
    r = client.post(reverse("flux:orientation_declarer"), _saisie(bailleur, lgt, etape="proposer"))
    page = r.content.decode()
    # A = 10, D = 1 : ALS 6×2/10 − 1 = 0,20 ; préfet 3×2/10 − 0 = 0,60 ; bailleur 1×2/10 = 0,20 → préfet.
    assert r.status_code == 200
    assert f'<strong class="orientation-propose">{prefet.nom}</strong>' in page
    assert "0,60" in page and page.count("0,20") == 2
    assert Orientation.objects.filter(logement=lgt).count() == 0  # the preview writes nothing
    r = client.post(
        reverse("flux:orientation_declarer"),
        _saisie(bailleur, lgt, etape="confirmer", action="confirmer", propose_attendu=str(prefet.pk)),
    )
    o = Orientation.objects.get(logement=lgt)
    assert r.status_code == 302 and r["Location"] == reverse("flux:orientation_detail", args=[o.pk])
    assert (o.reservataire_id, o.reservataire_propose_id, o.source) == (prefet.pk, prefet.pk, "navigateur")
    detail = client.get(r["Location"]).content.decode()
    assert "Orienté vers " + prefet.nom in detail and "Proposition de l&#x27;application suivie" in detail


@pytest.mark.django_db
def test_la_proposition_changee_entre_temps_n_est_pas_confirmee(client_for, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3, None: 1})
    lgt = logement(bailleur)
    # The user saw "ALS" (D = 0) but another declaration went to ALS meanwhile: now the préfet is proposed.
    _declare(bailleur)
    r = client_for(alice).post(
        reverse("flux:orientation_declarer"),
        _saisie(bailleur, lgt, etape="confirmer", action="confirmer", propose_attendu=str(als.pk)),
    )
    assert r.status_code == 200 and "La proposition a changé entre-temps" in r.content.decode()
    assert f'<strong class="orientation-propose">{prefet.nom}</strong>' in r.content.decode()
    assert not Orientation.objects.filter(logement=lgt).exists()


@pytest.mark.django_db
def test_choisir_un_autre_reservataire_exige_un_motif(client_for, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3})
    lgt = logement(bailleur)
    client = client_for(alice)
    donnees = _saisie(bailleur, lgt, etape="confirmer", action="deroger", propose_attendu=str(als.pk))
    r = client.post(reverse("flux:orientation_declarer"), {**donnees, "destinataire": str(prefet.pk)})
    assert r.status_code == 200 and "doit être motivé" in r.content.decode()
    assert not Orientation.objects.filter(logement=lgt).exists()
    r = client.post(
        reverse("flux:orientation_declarer"),
        {**donnees, "destinataire": str(prefet.pk), "motif": "Ménage DALO du contingent préfectoral"},
    )
    o = Orientation.objects.get(logement=lgt)
    assert r.status_code == 302
    assert (o.reservataire_propose_id, o.reservataire_id) == (als.pk, prefet.pk)
    assert o.motif_derogation == "Ménage DALO du contingent préfectoral"
    # Own share of the bailleur, also motivated.
    autre = logement(bailleur)
    donnees = _saisie(bailleur, autre, etape="confirmer", action="deroger", propose_attendu=str(als.pk))
    client.post(reverse("flux:orientation_declarer"), {**donnees, "destinataire": "bailleur", "motif": "Mutation"})
    assert Orientation.objects.get(logement=autre).reservataire_id is None


@pytest.mark.django_db
def test_un_logement_hors_patrimoine_ou_d_un_autre_bailleur_est_refuse(
    client_for, alice, bailleur, autre_bailleur, als
):
    etranger = logement(autre_bailleur)
    r = client_for(alice).post(reverse("flux:orientation_declarer"), _saisie(bailleur, etranger, etape="proposer"))
    assert r.status_code == 200 and "Aucun logement" in r.content.decode()


@pytest.mark.django_db
def test_la_liste_filtre_et_un_tiers_n_y_voit_rien(client_for, alice, charlie, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 1, prefet: 1})
    a, p = _declare(bailleur), _declare(bailleur)
    client = client_for(alice)
    page = client.get(reverse("flux:orientation_list"), {"reservataire": str(p.reservataire_id)}).content.decode()
    assert p.logement.rpls_id in page and a.logement.rpls_id not in page
    page = client.get(reverse("flux:orientation_list"), {"statut": "attribue", "annee": "2026"}).content.decode()
    assert "Aucune orientation." in page
    page = client_for(charlie).get(reverse("flux:orientation_list")).content.decode()
    assert a.logement.rpls_id not in page
    assert client_for(charlie).get(reverse("flux:orientation_detail", args=[a.pk])).status_code == 404


@pytest.mark.django_db
def test_le_reservataire_ne_voit_que_ses_logements_en_attente(client_for, bob, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 2, prefet: 1})
    premier = notifier(_declare(bailleur), datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC))  # ALS, en retard
    au_prefet = _declare(bailleur)
    deuxieme = _declare(bailleur)
    assert (premier.reservataire_id, au_prefet.reservataire_id, deuxieme.reservataire_id) == (als.pk, prefet.pk, als.pk)
    Orientation.objects.filter(pk=deuxieme.pk).update(statut=StatutOrientation.ATTRIBUE)
    page = client_for(bob).get(reverse("flux:orientation_a_pourvoir")).content.decode()
    assert premier.logement.rpls_id in page
    assert au_prefet.logement.rpls_id not in page and deuxieme.logement.rpls_id not in page
    assert 'class="orientation-en-retard"' in page and "en retard" in page


@pytest.mark.django_db
def test_le_reservataire_propose_ses_candidats_avec_verrou_optimiste(client_for, alice, bob, bailleur, als):
    allocations(bailleur, 2026, {als: 1})
    o = _declare(bailleur)
    url = reverse("flux:orientation_candidats", args=[o.pk])
    assert client_for(alice).get(url).status_code == 403  # the bailleur does not propose
    client = client_for(bob)
    assert client.get(url).status_code == 200
    r = client.post(url, {"nb_candidats": "3", "references": "059123\n059124\n059125", "lock_version": o.lock_version})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.statut == StatutOrientation.CANDIDATS and o.propositions.get().nb_candidats == 3
    # A form loaded before that change is refused with a clear message.
    r = client.post(url, {"nb_candidats": "1", "lock_version": o.lock_version - 1})
    assert r.status_code == 200 and "Quelqu&#x27;un a enregistré une modification entre-temps" in r.content.decode()
    assert o.propositions.count() == 1
    detail = client.get(reverse("flux:orientation_detail", args=[o.pk])).content.decode()
    assert "3 candidat(s) proposé(s)" in detail


@pytest.mark.django_db
def test_le_bailleur_enregistre_la_caleol_et_le_bail(client_for, alice, bob, bailleur, als):
    allocations(bailleur, 2026, {als: 1})
    o = _declare(bailleur)
    url = reverse("flux:orientation_attribution", args=[o.pk])
    assert client_for(bob).get(url).status_code == 403
    client = client_for(alice)
    donnees = {
        "decision": "attribution",
        "date_caleol": "2026-03-20",
        "premier_quartile": "on",
        "dalo": "on",
        "lock_version": o.lock_version,
    }
    assert client.post(url, donnees).status_code == 302
    o.refresh_from_db()
    assert o.statut == StatutOrientation.ATTRIBUE and o.attribution.premier_quartile and o.attribution.dalo
    assert not o.attribution.prioritaire
    r = client.post(url, {**donnees, "bail_signe_le": "2026-03-01", "lock_version": o.lock_version})
    assert "précède la CALEOL" in r.content.decode()
    r = client.post(url, {**donnees, "bail_signe_le": "2026-04-01", "lock_version": o.lock_version})
    o.refresh_from_db()
    assert r.status_code == 302 and o.statut == StatutOrientation.BAIL_SIGNE
    detail = client.get(reverse("flux:orientation_detail", args=[o.pk])).content.decode()
    assert "CALEOL : Attribution" in detail and "premier quartile, DALO" in detail and "Bail signé" in detail


@pytest.mark.django_db
def test_la_navigation_a_une_entree_orientations(client_for, alice):
    page = client_for(alice).get(reverse("home")).content.decode()
    assert f'href="{reverse("flux:orientation_list")}"' in page and ">Orientations<" in page
