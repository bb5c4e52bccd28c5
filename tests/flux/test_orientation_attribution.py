import datetime

import pytest

from flux.models import DecisionCaleol, SourceDeclaration, StatutOrientation
from flux.services.orientation import declarer
from flux.services.orientation.attribution import enregistrer_attribution
from tests.flux.world_orientation import allocations, logement

CALEOL = datetime.date(2026, 3, 20)


@pytest.mark.django_db
def test_attribution_puis_bail(bailleur, als):
    allocations(bailleur, 2026, {als: 1})
    o = declarer(
        logement=logement(bailleur),
        date_disponibilite=datetime.date(2026, 3, 2),
        nature="relocation",
        source=SourceDeclaration.NAVIGATEUR,
    )
    a = enregistrer_attribution(o, decision=DecisionCaleol.ATTRIBUTION, date_caleol=CALEOL, premier_quartile=True)
    o.refresh_from_db()
    assert o.statut == StatutOrientation.ATTRIBUE and a.premier_quartile
    with pytest.raises(ValueError, match="précède la CALEOL"):
        enregistrer_attribution(
            o, decision=DecisionCaleol.ATTRIBUTION, date_caleol=CALEOL, bail_signe_le=datetime.date(2026, 3, 1)
        )
    enregistrer_attribution(
        o, decision=DecisionCaleol.ATTRIBUTION, date_caleol=CALEOL, bail_signe_le=datetime.date(2026, 4, 1), dalo=True
    )
    o.refresh_from_db()
    assert o.statut == StatutOrientation.BAIL_SIGNE and o.attribution.dalo
    with pytest.raises(ValueError, match="plus en cours"):
        enregistrer_attribution(o, decision=DecisionCaleol.NON_ATTRIBUTION, date_caleol=CALEOL)


@pytest.mark.django_db
def test_non_attribution_rouvre_aux_candidats(bailleur, als):
    allocations(bailleur, 2026, {als: 1})
    o = declarer(
        logement=logement(bailleur),
        date_disponibilite=datetime.date(2026, 3, 2),
        nature="premiere",
        source=SourceDeclaration.NAVIGATEUR,
    )
    with pytest.raises(ValueError, match="qu'après une attribution"):
        enregistrer_attribution(o, decision=DecisionCaleol.REFUS_CANDIDAT, date_caleol=CALEOL, bail_signe_le=CALEOL)
    enregistrer_attribution(o, decision=DecisionCaleol.REFUS_CANDIDAT, date_caleol=CALEOL)
    o.refresh_from_db()
    assert o.statut == StatutOrientation.CANDIDATS


@pytest.mark.django_db
def test_api_liste_pour_les_deux_parties_seulement(bailleur, als, alice, bob, charlie, api_client_for):
    allocations(bailleur, 2026, {als: 1})
    o = declarer(
        logement=logement(bailleur),
        date_disponibilite=datetime.date(2026, 3, 2),
        nature="relocation",
        source=SourceDeclaration.API,
    )
    for user in (alice, bob):
        r = api_client_for(user).get("/api/v1/orientations/", {"statut": "oriente"})
        assert r.status_code == 200 and [x["id"] for x in r.json()["results"]] == [o.pk]
    assert api_client_for(charlie).get(f"/api/v1/orientations/{o.pk}/").status_code == 404
