"""Conventions REST API: the negotiation journey with token auth, conflicts (409), isolation (404), filters."""

from decimal import Decimal

import pytest

from conventions import selectors, services
from conventions.models import Convention, Statut
from reservataires.models import Role
from tests import factories
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db

API = "/api/v1/conventions/"


def ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content.decode()[:2000])
    return response.json()


def test_the_whole_negotiation_through_the_api(api_client_for, alice, bob, bailleur, als):
    a, b = api_client_for(alice), api_client_for(bob)

    created = ok(a.post(API, {"bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59"}), 201)
    assert created["statut"] == "brouillon" and created["numero"].startswith("CR-59-")
    assert "transmettre" in created["actions"]
    cid = created["id"]

    versions = ok(a.get(f"{API}{cid}/versions/"))["results"]
    assert len(versions) == 1 and versions[0]["etat"] == "brouillon"
    v1 = versions[0]
    assert ok(b.get(f"{API}{cid}/versions/"))["results"] == []  # the draft is the bailleur's alone

    clauses = [{"cle": c["cle"], "titre": c["titre"], "texte": c["texte"]} for c in v1["clauses"]]
    clauses[0]["texte"] = "<p>La convention <strong>fixe</strong> les règles.</p><img src=x onerror=alert(1)>"
    updated = ok(
        a.patch(
            f"{API}{cid}/versions/{v1['id']}/",
            {
                "lock_version": v1["lock_version"],
                "date_debut": "2026-01-01",
                "part_flux_pct": "25.00",
                "nombre_annuel": 30,
                "repartition_typologie": {"T2": "50", "T3": "50"},
                "objectifs": [{"epci": "200093201", "nombre": 30, "nombre_hors_qpv": 20}],
                "clauses": clauses,
            },
            format="json",
        )
    )
    assert updated["lock_version"] == v1["lock_version"] + 1
    assert updated["objectifs"][0]["epci_nom"] == "Métropole Européenne de Lille"
    assert updated["clauses"][0]["texte"] == "<p>La convention <strong>fixe</strong> les règles.</p>"
    assert updated["repartition_typologie"] == {"T2": "50.00", "T3": "50.00"}

    controles = ok(a.get(f"{API}{cid}/versions/{v1['id']}/controles/"))
    assert controles == {"version": v1["id"], "approbation_possible": True, "violations": []}

    assert ok(a.post(f"{API}{cid}/transmettre/", {"resume": "Première proposition"}))["statut"] == "en_negociation"

    # Bob counter-proposes.
    draft = ok(b.post(f"{API}{cid}/contre-proposer/"), 201)
    assert draft["numero"] == 2 and draft["base"] == v1["id"]
    clauses[0]["texte"] = "<p>La convention <strong>détermine</strong> les règles.</p>"
    ok(
        b.patch(
            f"{API}{cid}/versions/{draft['id']}/",
            {"lock_version": draft["lock_version"], "part_flux_pct": "20", "clauses": clauses},
            format="json",
        )
    )
    ok(b.post(f"{API}{cid}/transmettre/"))

    # Alice reads the redline, comments, bob resolves.
    redline = ok(a.get(f"{API}{cid}/versions/{draft['id']}/redline/"))
    assert redline["base"] == v1["id"]
    changed = [t for t in redline["termes"] if t["change"]]
    assert [(t["cle"], t["avant"], t["apres"]) for t in changed] == [("part_flux_pct", "25 %", "20 %")]
    objet = next(c for c in redline["clauses"] if c["cle"] == "objet")
    assert objet["etat"] == "modifiee"
    assert '<del class="diff-del">fixe</del><ins class="diff-ins">détermine</ins>' in objet["html"]

    comment = ok(
        a.post(f"{API}{cid}/commentaires/", {"texte": "Accepté", "cible": "terme:part_flux_pct"}, format="json"), 201
    )
    assert comment["version"] == draft["id"] and comment["cible_libelle"] == "part du flux annuel (%)"
    assert ok(b.post(f"{API}{cid}/commentaires/{comment['id']}/resoudre/"))["est_resolu"] is True
    assert [c["est_resolu"] for c in ok(a.get(f"{API}{cid}/commentaires/"))["results"]] == [True]

    # Both approve → validée; alice launches the signature.
    ok(a.post(f"{API}{cid}/approuver/", {"version": draft["id"]}))
    assert ok(b.post(f"{API}{cid}/approuver/", {"version": draft["id"]}))["statut"] == "validee"
    assert ok(a.post(f"{API}{cid}/lancer-signature/"))["statut"] == "en_signature"

    journal = ok(a.get(f"{API}{cid}/journal/"))["results"]
    assert journal[0]["type_evenement"] == "creation"
    assert {"par", "organisation", "le", "message"} <= set(journal[0])
    assert any(e["message"].startswith("Convention validée") for e in journal)


def test_a_stale_lock_version_is_a_409_and_writes_nothing(api_client_for, alice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    client = api_client_for(alice)
    path = f"{API}{convention.pk}/versions/{draft.pk}/"
    ok(client.patch(path, {"lock_version": draft.lock_version, "nb_candidats": 4}, format="json"))
    response = client.patch(path, {"lock_version": draft.lock_version, "nb_candidats": 2}, format="json")
    assert response.status_code == 409
    assert "modification entre-temps" in response.json()["detail"]
    draft.refresh_from_db()
    assert draft.nb_candidats == 4


def test_the_lock_version_is_required(api_client_for, alice, bailleur, als):
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    response = api_client_for(alice).patch(f"{API}{convention.pk}/versions/{draft.pk}/", {"nb_candidats": 2})
    assert response.status_code == 400
    assert response.json()["lock_version"] == ["Ce champ est obligatoire."]


def test_approving_a_superseded_version_is_a_409(api_client_for, alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    v1 = convention.version_courante
    conv.contre_proposition(convention, bob, part_flux_pct=Decimal(21))
    response = api_client_for(alice).post(f"{API}{convention.pk}/approuver/", {"version": v1.pk})
    assert response.status_code == 409
    assert "nouvelle version a été transmise" in response.json()["detail"]


def test_a_blocking_rule_is_a_400_in_french(api_client_for, alice, paul, bailleur, prefet):
    convention = conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(31)})
    client = api_client_for(paul)
    controles = ok(client.get(f"{API}{convention.pk}/versions/{convention.version_courante_id}/controles/"))
    assert controles["approbation_possible"] is False
    assert controles["violations"][0]["code"] == "plafond_prefet" and controles["violations"][0]["bloquant"]
    response = client.post(f"{API}{convention.pk}/approuver/", {"version": convention.version_courante_id})
    assert response.status_code == 400
    assert any("plafond de 30 %" in m for m in response.json()["detail"])


def test_outsiders_get_404_everywhere(api_client_for, charlie, alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    comment = services.comment_add(convention=convention, by=bob, texte="Hum")
    client = api_client_for(charlie)
    v = convention.version_courante_id
    for path in (
        f"{API}{convention.pk}/",
        f"{API}{convention.pk}/versions/",
        f"{API}{convention.pk}/versions/{v}/",
        f"{API}{convention.pk}/versions/{v}/controles/",
        f"{API}{convention.pk}/versions/{v}/redline/",
        f"{API}{convention.pk}/commentaires/",
        f"{API}{convention.pk}/journal/",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("transmettre", "approuver", "contre-proposer", "rouvrir", "abandonner", "lancer-signature"):
        assert client.post(f"{API}{convention.pk}/{path}/", {"version": v}).status_code == 404, path
    assert client.post(f"{API}{convention.pk}/commentaires/{comment.pk}/resoudre/").status_code == 404
    assert client.patch(f"{API}{convention.pk}/versions/{v}/", {"lock_version": 1}).status_code == 404
    assert ok(client.get(API))["results"] == []


def test_the_federation_reads_but_cannot_act(api_client_for, fede, alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    client = api_client_for(fede)
    data = ok(client.get(f"{API}{convention.pk}/"))
    assert data["actions"] == []
    response = client.post(f"{API}{convention.pk}/approuver/", {"version": convention.version_courante_id})
    assert response.status_code == 403


def test_a_version_of_another_convention_is_404_under_this_one(api_client_for, alice, bailleur, als, prefet):
    c1 = conv.transmise(bailleur, als, alice)
    c2 = conv.transmise(bailleur, prefet, alice)
    client = api_client_for(alice)
    assert client.get(f"{API}{c1.pk}/versions/{c2.version_courante_id}/").status_code == 404
    assert client.post(f"{API}{c1.pk}/approuver/", {"version": c2.version_courante_id}).status_code == 404


def test_list_filters(api_client_for, alice, bailleur, als, prefet):
    c1 = conv.transmise(bailleur, als, alice)
    c2 = conv.brouillon(bailleur, prefet, alice)
    other = factories.ALSFactory()
    c3 = conv.brouillon(bailleur, other, alice, departement_id="62")
    client = api_client_for(alice)

    def ids(**params):
        return {c["id"] for c in ok(client.get(API, params))["results"]}

    assert ids() == {c1.pk, c2.pk, c3.pk}
    assert ids(statut="brouillon") == {c2.pk, c3.pk}
    assert ids(type_reservataire="prefet") == {c2.pk}
    assert ids(reservataire=als.pk) == {c1.pk}
    assert ids(departement="62") == {c3.pk}
    assert ids(bailleur=bailleur.pk) == {c1.pk, c2.pk, c3.pk}
    bad = client.get(API, {"statut": "nimporte"})
    assert bad.status_code == 400 and "statut" in bad.json()


def test_the_duplicate_refusal_and_rights_on_creation(api_client_for, alice, bob, bailleur, als):
    conv.brouillon(bailleur, als, alice)
    response = api_client_for(alice).post(API, {"bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59"})
    assert response.status_code == 400
    assert "une seule convention par réservataire et par département" in response.json()["detail"][0]
    # Bob cannot open a convention for a bailleur he does not belong to: the id is not among his choices.
    response = api_client_for(bob).post(API, {"bailleur": bailleur.pk, "reservataire": als.pk, "departement": "59"})
    assert response.status_code == 400 and "bailleur" in response.json()
    assert Convention.objects.count() == 1


def test_a_reader_cannot_update_a_draft(api_client_for, alice, bailleur, als):
    reader = factories.member(bailleur, Role.LECTEUR, email="lecteur@habitat-alice.fr")
    convention = conv.brouillon(bailleur, als, alice)
    draft = selectors.brouillon_de(convention)
    response = api_client_for(reader).patch(
        f"{API}{convention.pk}/versions/{draft.pk}/", {"lock_version": draft.lock_version, "nb_candidats": 9}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.nb_candidats == 3 and Convention.objects.get().statut == Statut.BROUILLON
