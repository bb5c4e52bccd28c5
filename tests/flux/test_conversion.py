"""Stock → flux conversion: both methods on hand-computed cases, every input stored, switchable."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.models import Conversion, Fondement, Methode
from flux.selectors import conversion_convention_terms
from flux.services.conversion import Contingent, calculer, conversion_basculer, conversion_calculer
from flux.services.etat_des_lieux import reservation_create
from flux.services.exclusions import exclusion_save
from flux.services.patrimoine import patrimoine_import
from territoires.models import Departement
from tests import factories
from tests.flux import factories as f

ANNEE = datetime.date.today().year
D = Decimal


# --- Pure arithmetic (no database) ---------------------------------------------------------------------------
def test_the_plain_ratio_divides_reserved_dwellings_by_the_assiette():
    r = calculer(
        methode=Methode.RATIO_SIMPLE, parc_total=100, exclusions_stock=D(10), deductions_flux=D(2), taux_rotation=D(9),
        contingents=[Contingent(1, 1, Fondement.PREFET_PRIORITAIRES, D(18)),
                     Contingent(2, 1, Fondement.PREFET_AGENTS, D(4)),
                     Contingent(3, 2, Fondement.ACTION_LOGEMENT, D(15), D(12))],
        prefets={1},
    )  # fmt: skip
    assert (r.assiette, r.flux_brut, r.flux_net) == (D("90.00"), D("8.10"), D("6.10"))
    prefet, als = r.parts
    assert (prefet.part_pct, prefet.dont_agents_pct, prefet.logements_par_an) == (D("24.4444"), D("4.4444"), D("1.49"))
    assert (als.part_pct, als.rotation) == (D("16.6667"), D("12.00"))
    assert r.part_bailleur_pct == D("58.8889") and r.alertes == []


def test_the_rotation_method_weights_each_contingent_by_its_turnover():
    r = calculer(
        methode=Methode.ROTATION, parc_total=100, exclusions_stock=D(10), deductions_flux=D(2), taux_rotation=D(9),
        contingents=[Contingent(1, 1, Fondement.PREFET_PRIORITAIRES, D(22)),
                     Contingent(3, 2, Fondement.ACTION_LOGEMENT, D(15), D(12)),
                     Contingent(4, 3, Fondement.GARANTIE_EMPRUNT, D(9), D(6))],
    )  # fmt: skip
    parts = {p.reservataire_id: p.part_pct for p in r.parts}
    # (22 × 9 %) ÷ (90 × 9 %) ; (15 × 12 %) ÷ 8,1 ; (9 × 6 %) ÷ 8,1
    assert parts == {1: D("24.4444"), 2: D("22.2222"), 3: D("6.6667")}
    assert r.part_bailleur_pct == D("46.6667")


def test_a_prefet_share_above_30_percent_or_agents_above_5_percent_raises_an_alert():
    r = calculer(
        methode=Methode.RATIO_SIMPLE, parc_total=100, exclusions_stock=D(0), deductions_flux=D(0), taux_rotation=D(9),
        contingents=[Contingent(1, 7, Fondement.PREFET_PRIORITAIRES, D(29)),
                     Contingent(2, 7, Fondement.PREFET_AGENTS, D(6))],
        prefets={7},
    )  # fmt: skip
    assert any("dépasse le plafond de 30 %" in a for a in r.alertes)
    assert any("agents de l'État (6.00 %) dépasse le plafond de 5 %" in a for a in r.alertes)


def test_reservations_above_the_assiette_are_flagged_and_the_bailleur_share_is_zero():
    r = calculer(
        methode=Methode.RATIO_SIMPLE,
        parc_total=10,
        exclusions_stock=D(0),
        deductions_flux=D(0),
        taux_rotation=D(9),
        contingents=[Contingent(1, 1, Fondement.AUTRE, D(12))],
    )
    assert r.total_pct == D("120.0000") and r.part_bailleur_pct == D(0)
    assert "l'état des lieux est à vérifier" in r.alertes[0]


contingents = st.lists(
    st.builds(Contingent, st.none(), st.integers(1, 6), st.sampled_from(Fondement.values), st.integers(1, 50).map(D)),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(contingents=contingents, parc=st.integers(400, 5000), rotation=st.integers(3, 15).map(D))
def test_without_own_turnover_both_methods_agree_and_shares_add_up_to_100(contingents, parc, rotation):
    kwargs = {"parc_total": parc, "exclusions_stock": D(0), "deductions_flux": D(0), "taux_rotation": rotation,
              "contingents": contingents}  # fmt: skip
    simple = calculer(methode=Methode.RATIO_SIMPLE, **kwargs)
    pondere = calculer(methode=Methode.ROTATION, **kwargs)
    assert [(p.reservataire_id, p.part_pct) for p in simple.parts] == [
        (p.reservataire_id, p.part_pct) for p in pondere.parts
    ]
    assert abs(simple.total_pct + simple.part_bailleur_pct - 100) <= D("0.0001") * (len(simple.parts) + 1)


# --- Stored runs on a real patrimony ---------------------------------------------------------------------------
@pytest.fixture
def cas(db, bailleur, alice, prefet, als, tmp_path):
    """100 conventionnés dwellings in the Nord: 40 Roubaix, 40 Lille (MEL), 20 Maubeuge; 2 non conventionnés."""
    entetes = [*f.ENTETES, "CONV"]
    rows = (
        [[*r, "1"] for r in f.lignes(40, depcom="59512", programme="R1")]
        + [[*r, "1"] for r in f.lignes(40, depcom="59350", programme="L1", debut=100)]
        + [[*r, "1"] for r in f.lignes(20, depcom="59392", programme="M1", debut=200)]
        + [[*r, "2"] for r in f.lignes(2, depcom="59350", programme="L2", debut=300)]
    )
    patrimoine_import(bailleur=bailleur, path=f.fichier_csv(tmp_path / "p.csv", rows, entetes=entetes), by=alice)
    nord = Departement.objects.get(code="59")
    exclusion_save(
        bailleur=bailleur, departement=nord, annee=ANNEE, categorie="reste_en_stock", nb_logements=10, by=alice
    )
    exclusion_save(bailleur=bailleur, departement=nord, annee=ANNEE, categorie="mutation", nb_logements=2, by=alice)
    roubaix = factories.CommuneReservataireFactory(nom="Ville de Roubaix (cas)")
    mel = factories.EPCIReservataireFactory(nom="Métropole européenne de Lille (cas)")

    def ligne(reservataire, fondement, nb, **kw):
        return reservation_create(bailleur=bailleur, by=alice, reservataire=reservataire, departement="59",
                                  fondement=fondement, nb_logements=nb, **kw)  # fmt: skip

    ligne(prefet, Fondement.PREFET_PRIORITAIRES, 18)
    ligne(prefet, Fondement.PREFET_AGENTS, 4)
    ligne(als, Fondement.ACTION_LOGEMENT, 15, programmes=["L1"], taux_rotation=D(12))
    ligne(als, Fondement.ACTION_LOGEMENT, 5, date_fin=datetime.date(ANNEE - 1, 12, 31))  # expired
    ligne(als, Fondement.ACTION_LOGEMENT, 3, droit_de_suite=False)  # one-off designation
    ligne(roubaix, Fondement.GARANTIE_EMPRUNT, 9, taux_rotation=D(6), date_fin_pret=datetime.date(2040, 1, 1))
    ligne(mel, Fondement.GARANTIE_EMPRUNT, 6)
    return {"prefet": prefet, "als": als, "roubaix": roubaix, "mel": mel}


def _parts(conversion):
    return {l.reservataire_id: l.part_flux_pct for l in conversion.lignes.all()}  # noqa: E741


def test_a_departement_run_stores_every_input_and_each_share(cas, bailleur, alice):
    c = conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice)
    assert (c.parc_total, c.non_conventionnes, c.exclusions_stock, c.assiette) == (100, 2, D("10.00"), D("90.00"))
    assert (c.taux_rotation, c.flux_brut, c.deductions_flux, c.flux_net) == (D("9.00"), D("8.10"), D("2.00"), D("6.10"))
    assert _parts(c) == {
        cas["prefet"].pk: D("24.4444"), cas["als"].pk: D("16.6667"), cas["roubaix"].pk: D("10.0000"),
        cas["mel"].pk: D("6.6667"),
    }  # fmt: skip
    assert c.part_bailleur_pct == D("42.2222")
    prefet = c.lignes.get(reservataire=cas["prefet"])
    assert prefet.dont_agents_pct == D("4.4444") and prefet.perimetre_de_convention
    assert not c.lignes.get(reservataire=cas["roubaix"]).perimetre_de_convention  # its convention: its territory
    ignorees = [e for e in c.entrees["lignes_etat_des_lieux"] if not e["retenue"]]
    assert sorted(e["nb_logements"] for e in ignorees) == [3, 5]
    assert {e["categorie"]: e["retenu"] for e in c.entrees["exclusions"]} == {
        "reste_en_stock": "10.00",
        "mutation": "2.00",
    }


def test_switching_method_recomputes_and_keeps_both_runs(cas, bailleur, alice):
    simple = conversion_calculer(
        bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice
    )
    pondere = conversion_basculer(conversion=simple, by=alice)
    simple.refresh_from_db()
    assert pondere.methode == Methode.ROTATION and pondere.precedente == simple
    assert pondere.est_courante and not simple.est_courante
    # (15 × 12 %) ÷ (90 × 9 %) = 22,22 % ; (9 × 6 %) ÷ 8,1 = 6,67 % ; others at the default rate: unchanged.
    assert _parts(pondere) == {
        cas["prefet"].pk: D("24.4444"), cas["als"].pk: D("22.2222"), cas["roubaix"].pk: D("6.6667"),
        cas["mel"].pk: D("6.6667"),
    }  # fmt: skip
    assert pondere.part_bailleur_pct == D("40.0000")
    assert _parts(simple)[cas["als"].pk] == D("16.6667")  # the earlier run is untouched
    assert Conversion.objects.filter(bailleur=bailleur, annee=ANNEE).count() == 2


def test_a_commune_run_counts_only_what_lies_in_its_territory(cas, bailleur, alice):
    c = conversion_calculer(bailleur=bailleur, perimetre="C:59512", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice)
    assert (c.parc_total, c.exclusions_stock, c.assiette, c.deductions_flux) == (40, D("4.00"), D("36.00"), D("0.80"))
    assert _parts(c) == {cas["roubaix"].pk: D("25.0000")}
    assert any("28 logement(s) réservé(s) sans localisation" in a for a in c.alertes)
    terms = conversion_convention_terms(c.lignes.get())
    assert terms["reservataire"] == cas["roubaix"] and terms["commune"].code == "59512"
    assert terms["departement"].code == "59" and terms["epci"] is None
    assert (terms["part_flux_pct"], terms["annee"], terms["conversion_id"]) == (D("25.0000"), ANNEE, c.pk)
    assert "9,00 ÷ 36,00 = 25,00 %" in terms["note_calcul"]


def test_an_epci_run_locates_programmes_communes_and_the_epcis_own_rights(cas, bailleur, alice):
    c = conversion_calculer(
        bailleur=bailleur, perimetre="E:200093201", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice
    )
    assert (c.parc_total, c.assiette) == (80, D("72.00"))
    assert _parts(c) == {cas["als"].pk: D("20.8333"), cas["roubaix"].pk: D("12.5000"), cas["mel"].pk: D("8.3333")}
    assert c.lignes.get(reservataire=cas["mel"]).perimetre_de_convention
    with pytest.raises(ValidationError):
        conversion_convention_terms(c.lignes.get(reservataire=cas["als"]))  # ALS's convention is départemental


def test_convention_terms_of_a_departement_line_explain_the_computation(cas, bailleur, alice):
    c = conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.ROTATION, by=alice)
    terms = conversion_convention_terms(c.lignes.get(reservataire=cas["als"]))
    assert terms["bailleur"] == bailleur and terms["commune"] is None and terms["part_flux_pct"] == D("22.2222")
    note = terms["note_calcul"]
    assert "(15,00 × 12,00 %) ÷ (90,00 × 9,00 %) = 22,22 %" in note
    assert "Taux par défaut hors Île-de-France" in note and f"calcul n° {c.pk}" in note


def test_a_given_turnover_replaces_the_default_and_survives_the_switch(cas, bailleur, alice):
    c = conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.RATIO_SIMPLE,
                            taux_rotation=D("8.5"), by=alice)  # fmt: skip
    assert c.taux_rotation_source == "Taux saisi pour ce calcul"
    assert conversion_basculer(conversion=c, by=alice).taux_rotation == D("8.50")


def test_bad_parameters_are_refused_in_french(cas, bailleur, alice):
    with pytest.raises(ValidationError) as exc:
        conversion_calculer(bailleur=bailleur, perimetre="X:1", annee=ANNEE, methode="ratio_simple", by=alice)
    assert "Périmètre invalide" in exc.value.message_dict["perimetre"][0]
    with pytest.raises(ValidationError) as exc:
        conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=1990, methode="au_doigt_mouille",
                            taux_rotation=D(80), by=alice)  # fmt: skip
    assert set(exc.value.message_dict) == {"methode", "annee", "taux_rotation"}


# --- Pages and API ---------------------------------------------------------------------------------------------
def test_the_conversion_pages_compute_show_and_switch(cas, client_for, bailleur, alice, fede, charlie):
    client = client_for(alice)
    page = client.get(reverse("flux:conversion_list", args=[bailleur.pk])).content.decode()
    assert "D:59" in page and "C:59512" in page and "E:200093201" in page
    response = client.post(reverse("flux:conversion_list", args=[bailleur.pk]),
                           {"perimetre": "D:59", "annee": ANNEE, "methode": "ratio_simple"})  # fmt: skip
    c = Conversion.objects.get()
    assert response["Location"] == reverse("flux:conversion_detail", args=[c.pk])
    page = client.get(response["Location"]).content.decode()
    assert "24,44 %" in page and "42,22 %" in page and "Recalculer pondéré par la rotation" in page
    response = client.post(reverse("flux:conversion_basculer", args=[c.pk]))
    nouvelle = Conversion.objects.get(est_courante=True)
    page = client.get(response["Location"]).content.decode()
    assert nouvelle.methode == "rotation" and "22,22 %" in page and "16,67 %" in page  # both methods side by side
    assert client_for(fede).get(reverse("flux:conversion_detail", args=[c.pk])).status_code == 200
    assert client_for(fede).post(reverse("flux:conversion_basculer", args=[c.pk])).status_code == 403
    assert client_for(charlie).get(reverse("flux:conversion_detail", args=[c.pk])).status_code == 404


def test_the_api_computes_lists_and_switches_conversions(cas, api_client_for, bailleur, alice, bob):
    api = api_client_for(alice)
    response = api.post("/api/v1/conversions/", {"bailleur": bailleur.pk, "perimetre": "D:59", "annee": ANNEE,
                                                 "methode": "ratio_simple"}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    corps = response.json()
    assert corps["part_bailleur_pct"] == "42.2222" and len(corps["lignes"]) == 4
    response = api.post(f"/api/v1/conversions/{corps['id']}/basculer/", {}, format="json")
    assert response.status_code == 201 and response.json()["methode"] == "rotation"
    assert api.get("/api/v1/conversions/?est_courante=true").json()["count"] == 1
    response = api.post("/api/v1/conversions/", {"bailleur": bailleur.pk, "perimetre": "Z", "methode": "rotation"},
                        format="json")  # fmt: skip
    assert response.status_code == 400 and "Périmètre invalide" in response.json()["perimetre"][0]
    assert api_client_for(bob).get(f"/api/v1/conversions/{corps['id']}/").status_code == 404  # réservataire: no


def test_a_share_seeds_a_convention_draft_whose_annexes_trace_the_computation(cas, bailleur, alice):
    from conventions.models import Statut
    from conventions.selectors import brouillon_de
    from flux.services.conversion.convention import conversion_seed_convention

    c = conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice)
    convention = conversion_seed_convention(ligne=c.lignes.get(reservataire=cas["prefet"]), by=alice)
    assert convention.statut == Statut.BROUILLON and convention.perimetre_code == "59"
    draft = brouillon_de(convention)
    assert (draft.part_flux_pct, draft.part_agents_pct) == (D("24.44"), D("4.44"))
    annexes = {a.titre: a.texte for a in draft.annexes.all()}
    assert (
        "18,00 + 4,00" in annexes["Note de calcul de la conversion du stock en flux"]
        or "22,00 ÷ 90,00" in (annexes["Note de calcul de la conversion du stock en flux"])
    )
    assert (
        "Contingent préfectoral – publics prioritaires : 18.00 logement(s)"
        in annexes["État des lieux des réservations"]
    )
    assert f"calcul de conversion n° {c.pk}" in convention.evenements.get().message


def test_a_commune_share_seeds_its_territorial_convention_with_the_guarantee_part(cas, bailleur, alice):
    from conventions.selectors import brouillon_de
    from flux.services.conversion.convention import conversion_seed_convention

    c = conversion_calculer(bailleur=bailleur, perimetre="C:59512", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice)
    convention = conversion_seed_convention(ligne=c.lignes.get(), by=alice)
    draft = brouillon_de(convention)
    assert convention.perimetre_code == "COM-59512"
    assert (draft.part_flux_pct, draft.part_garantie_pct) == (D("25.00"), D("25.00"))


def test_the_conversion_page_opens_a_draft_once_then_links_to_it(cas, client_for, bailleur, alice, fede):
    c = conversion_calculer(bailleur=bailleur, perimetre="D:59", annee=ANNEE, methode=Methode.RATIO_SIMPLE, by=alice)
    ligne = c.lignes.get(reservataire=cas["als"])
    page = client_for(alice).get(reverse("flux:conversion_detail", args=[c.pk])).content.decode()
    assert "Créer un projet de convention" in page
    url = reverse("flux:conversion_convention", args=[c.pk, ligne.pk])
    response = client_for(alice).post(url)
    assert response.status_code == 302 and "/projet/" in response["Location"]
    again = client_for(alice).post(url, follow=True).content.decode()
    assert "une seule convention par réservataire et par département" in again
    assert (
        "voir la convention" in client_for(alice).get(reverse("flux:conversion_detail", args=[c.pk])).content.decode()
    )
    assert (
        client_for(fede).post(url).status_code == 403
        or "Seul un rédacteur" in client_for(fede).post(url, follow=True).content.decode()
    )
