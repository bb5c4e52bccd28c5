"""API writes on /api/v1/orientations/: proposal then declaration, override with motif, candidates,
CALEOL outcome; scoped (foreign users 404, wrong party 403), French 400s, 409 on a stale version."""

import datetime

import pytest

from flux.models import Orientation, SourceDeclaration, StatutOrientation
from flux.services.orientation import declarer
from tests.flux.world_orientation import allocations, logement

URL = "/api/v1/orientations/"


@pytest.mark.django_db
def test_proposition_puis_declaration_et_derogation_motivee(api_client_for, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3, None: 1})
    api = api_client_for(alice)
    lgt = logement(bailleur)
    demande = {"logement": lgt.pk, "nature": "relocation", "date_disponibilite": "2026-03-02"}
    r = api.post(URL, demande, format="json")
    assert r.status_code == 200 and r.json()["reservataire_propose"] == als.pk
    assert [p["retard"] for p in r.json()["parts"]] == [0.6, 0.3, 0.1]
    assert not Orientation.objects.exists()
    r = api.post(URL, {**demande, "confirmer": True}, format="json")
    assert r.status_code == 201
    o = Orientation.objects.get(pk=r.json()["orientation"]["id"])
    assert (o.reservataire_id, o.source) == (als.pk, SourceDeclaration.API)
    autre = {**demande, "logement": logement(bailleur).pk, "confirmer": True, "reservataire": als.pk}
    # The proposal is now the préfet: orienting to ALS needs a motif.
    r = api.post(URL, autre, format="json")
    assert r.status_code == 400 and "doit être motivé" in r.json()["motif"][0]
    r = api.post(URL, {**autre, "motif": "Salarié d'une entreprise cotisante en mutation"}, format="json")
    assert r.status_code == 201 and r.json()["orientation"]["reservataire_propose"] == prefet.pk
    r = api.post(URL, {**autre, "logement": lgt.pk}, format="json")
    assert r.status_code == 400 and "déjà orienté" in str(r.json())


@pytest.mark.django_db
def test_un_tiers_ne_declare_pas_un_logement_qui_n_est_pas_le_sien(api_client_for, charlie, bob, bailleur, als):
    lgt = logement(bailleur)
    demande = {"logement": lgt.pk, "nature": "relocation", "date_disponibilite": "2026-03-02", "confirmer": True}
    for user in (charlie, bob):
        r = api_client_for(user).post(URL, demande, format="json")
        assert r.status_code == 400 and "logement" in r.json()
    assert not Orientation.objects.exists()


@pytest.mark.django_db
def test_candidats_par_le_reservataire_et_attribution_par_le_bailleur(
    api_client_for, alice, bob, charlie, bailleur, als
):
    allocations(bailleur, 2026, {als: 1})
    o = declarer(
        logement=logement(bailleur),
        date_disponibilite=datetime.date(2026, 3, 2),
        nature="relocation",
        source=SourceDeclaration.API,
    )
    candidats = f"{URL}{o.pk}/candidats/"
    attribution = f"{URL}{o.pk}/attribution/"
    assert api_client_for(charlie).post(candidats, {"nb_candidats": 3}, format="json").status_code == 404
    assert api_client_for(alice).post(candidats, {"nb_candidats": 3}, format="json").status_code == 403
    r = api_client_for(bob).post(candidats, {"nb_candidats": 0}, format="json")
    assert r.status_code == 400
    r = api_client_for(bob).post(
        candidats, {"nb_candidats": 3, "references": "0591", "lock_version": o.lock_version}, format="json"
    )
    assert r.status_code == 200 and r.json()["statut"] == StatutOrientation.CANDIDATS
    r = api_client_for(bob).post(candidats, {"nb_candidats": 2, "lock_version": o.lock_version}, format="json")
    assert r.status_code == 409  # stale version
    caleol = {"decision": "attribution", "date_caleol": "2026-03-20", "premier_quartile": True, "dalo": True}
    assert api_client_for(bob).post(attribution, caleol, format="json").status_code == 403
    r = api_client_for(alice).post(attribution, {**caleol, "bail_signe_le": "2026-04-02"}, format="json")
    assert r.status_code == 200 and r.json()["premier_quartile"] is True
    o.refresh_from_db()
    assert o.statut == StatutOrientation.BAIL_SIGNE and o.attribution.dalo
    r = api_client_for(alice).post(attribution, caleol, format="json")
    assert r.status_code == 400 and "plus en cours" in str(r.json())
