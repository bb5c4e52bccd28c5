"""Reads that need thought: patrimony statistics, périmètres, synthesis, convention terms."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, Q, Sum, Value, When

from core.models import Job
from flux.models import (
    CATEGORIES_FLUX,
    CATEGORIES_STOCK,
    Conversion,
    ConversionLigne,
    Evenement,
    Exclusion,
    Financement,
    Fondement,
    Logement,
    Methode,
    ReservationStock,
    TypePerimetre,
)
from flux.models.patrimoine import typologie_libelle
from flux.services.conversion import CENT, Perimetre
from reservataires.models import TYPES_COLLECTIVITE, Capacite, Organisation, TypeOrganisation
from territoires.models import EPCI, Commune, Departement

PERIODES = [
    ("avant_1946", "Avant 1946", None, 1945),
    ("1946_1970", "1946 à 1970", 1946, 1970),
    ("1971_1990", "1971 à 1990", 1971, 1990),
    ("1991_2005", "1991 à 2005", 1991, 2005),
    ("2006_plus", "2006 et après", 2006, None),
]


def bailleurs_visibles(user):
    return Organisation.objects.visible_to(user).bailleurs().select_related("departement", "federation")


def bailleurs_redigeables(user):
    return Organisation.objects.acting_for(user, Capacite.REDIGER).bailleurs()


def nombre(x, decimales: int = 0) -> str:
    """French number formatting for generated texts: 1 234,5."""
    texte = f"{Decimal(x):,.{decimales}f}"
    return texte.replace(",", "\u202f").replace(".", ",")


# --- Patrimony ------------------------------------------------------------------------------
def patrimoine_stats(bailleur: Organisation) -> dict:
    logements = Logement.objects.filter(bailleur=bailleur)
    totaux = logements.aggregate(
        total=Count("id"),
        qpv=Count("id", filter=Q(qpv=True)),
        conventionnes=Count("id", filter=Q(conventionne=True)),
        somme_loyers=Sum("loyer", filter=Q(surface__isnull=False)),
        surface_louee=Sum("surface", filter=Q(loyer__isnull=False)),
    )
    total = totaux["total"] or 0

    def pct(n):
        return round(100 * n / total, 1) if total else 0

    par_departement = [
        {**row, "pct": pct(row["n"]), "qpv_pct": round(100 * row["qpv"] / row["n"], 1) if row["n"] else 0}
        for row in logements.values("departement_id", "departement__nom")
        .annotate(n=Count("id"), qpv=Count("id", filter=Q(qpv=True)))
        .order_by("departement_id")
    ]
    par_epci = [
        {**row, "pct": pct(row["n"])}
        for row in logements.values("epci_id", "epci__nom")
        .annotate(n=Count("id"), qpv=Count("id", filter=Q(qpv=True)))
        .order_by("-n", "epci__nom")[:25]
    ]
    financements = dict(logements.values_list("financement").annotate(n=Count("id")).values_list("financement", "n"))
    par_financement = [
        {"code": code, "libelle": libelle, "n": financements.get(code, 0), "pct": pct(financements.get(code, 0))}
        for code, libelle in Financement.choices
    ]
    typologies = dict(logements.values_list("typologie").annotate(n=Count("id")).values_list("typologie", "n"))
    par_typologie = [
        {"typologie": typologie_libelle(t), "n": typologies.get(t, 0), "pct": pct(typologies.get(t, 0))}
        for t in range(1, 7)
    ]
    periode = Case(
        *[
            When(
                Q(**({"annee_construction__gte": debut} if debut else {}))
                & Q(**({"annee_construction__lte": fin} if fin else {}))
                & Q(annee_construction__isnull=False),
                then=Value(code),
            )
            for code, _, debut, fin in PERIODES
        ],
        default=Value("inconnue"),
        output_field=CharField(),
    )
    periodes = dict(logements.annotate(p=periode).values_list("p").annotate(n=Count("id")).values_list("p", "n"))
    par_periode = [
        {"libelle": libelle, "n": periodes.get(code, 0), "pct": pct(periodes.get(code, 0))}
        for code, libelle, _, _ in [*PERIODES, ("inconnue", "Non renseignée", None, None)]
    ]
    loyer_m2 = None
    if totaux["somme_loyers"] and totaux["surface_louee"]:
        loyer_m2 = round(totaux["somme_loyers"] / totaux["surface_louee"], 2)
    return {
        "total": total,
        "qpv": totaux["qpv"] or 0,
        "qpv_pct": pct(totaux["qpv"] or 0),
        "conventionnes": totaux["conventionnes"] or 0,
        "loyer_m2": loyer_m2,
        "par_departement": par_departement,
        "par_epci": par_epci,
        "par_financement": par_financement,
        "par_typologie": par_typologie,
        "par_periode": par_periode,
    }


def imports_recents(bailleur: Organisation, user, n: int = 5):
    return Job.objects.visible_to(user).filter(organisation=bailleur, kind__startswith="flux.import")[:n]


def evenements_recents(bailleur: Organisation, user, n: int = 10):
    return Evenement.objects.visible_to(user).filter(bailleur=bailleur).select_related("par")[:n]


def perimetres_du_bailleur(bailleur: Organisation) -> list[Perimetre]:
    """Départements where the bailleur has stock or reservations, and the territories of its
    territorial réservataires (communes, EPCI / EPT: their convention covers their own territory)."""
    codes = set(Logement.objects.filter(bailleur=bailleur).values_list("departement_id", flat=True).distinct())
    codes |= set(ReservationStock.objects.filter(bailleur=bailleur).values_list("departement_id", flat=True).distinct())
    perimetres = [Perimetre(TypePerimetre.DEPARTEMENT, d.code, d) for d in Departement.objects.filter(code__in=codes)]
    territoriaux = Organisation.objects.filter(
        reservations_obtenues__bailleur=bailleur, type__in=[TypeOrganisation.COMMUNE, TypeOrganisation.EPCI]
    ).distinct()
    epci_ids = {o.epci_id for o in territoriaux if o.type == TypeOrganisation.EPCI and o.epci_id}
    commune_ids = {o.commune_id for o in territoriaux if o.type == TypeOrganisation.COMMUNE and o.commune_id}
    for epci in EPCI.objects.filter(siren__in=epci_ids):
        commune = Commune.objects.filter(Q(epci=epci) | Q(ept=epci)).select_related("departement").first()
        if commune:
            perimetres.append(Perimetre(TypePerimetre.EPCI, epci.siren, commune.departement, epci=epci))
    for commune in Commune.objects.filter(code__in=commune_ids).select_related("departement"):
        perimetres.append(Perimetre(TypePerimetre.COMMUNE, commune.code, commune.departement, commune=commune))
    return perimetres


# --- Synthesis per bailleur and département ------------------------------------------------
SYNTHESE_COLONNES = [
    ("bailleur", "Bailleur"),
    ("type_bailleur", "Type"),
    ("departement", "Département"),
    ("departement_nom", "Nom du département"),
    ("logements", "Logements conventionnés"),
    ("qpv", "dont en QPV"),
    ("qpv_pct", "% en QPV"),
    ("plai", "PLAI"),
    ("plus", "PLUS"),
    ("pls", "PLS"),
    ("pli", "PLI"),
    ("autres_financements", "Autres financements"),
    ("exclusions_stock", "Hors assiette (stock)"),
    ("assiette", "Assiette"),
    ("deductions_flux", "Soustraits du flux annuel"),
    ("reserve_prefet", "Réservés préfet – prioritaires"),
    ("reserve_agents", "Réservés préfet – agents de l'État"),
    ("reserve_als", "Réservés Action Logement"),
    ("reserve_collectivites", "Réservés collectivités"),
    ("reserve_autres", "Réservés autres"),
    ("reserve_total", "Total réservé"),
    ("reserve_pct", "% de l'assiette réservé"),
    ("non_reserve", "Non réservé"),
    ("methode", "Méthode de conversion"),
    ("part_prefet", "Part préfet (%)"),
    ("part_als", "Part Action Logement (%)"),
    ("part_collectivites", "Part collectivités (%)"),
    ("part_autres", "Part autres (%)"),
    ("part_bailleur", "Part du bailleur (%)"),
]


def _famille(type_reservataire: str, fondement: str | None = None) -> str:
    if type_reservataire == TypeOrganisation.PREFET:
        return "agents" if fondement == Fondement.PREFET_AGENTS else "prefet"
    if type_reservataire == TypeOrganisation.ALS:
        return "als"
    if type_reservataire in TYPES_COLLECTIVITE:
        return "collectivites"
    return "autres"


def synthese_lignes(user, *, annee: int, departement: str | None = None, bailleur: int | None = None) -> list[dict]:
    """One row per bailleur × département, like the regional « synthèse par bailleur »."""
    bailleurs = bailleurs_visibles(user)
    if bailleur:
        bailleurs = bailleurs.filter(pk=bailleur)
    noms = {b.pk: b for b in bailleurs}
    if not noms:
        return []
    filtre_dep = {"departement_id": departement} if departement else {}
    rows: dict[tuple, dict] = {}

    def row(b, d):
        return rows.setdefault((b, d), defaultdict(lambda: 0))

    for r in (
        Logement.objects.filter(bailleur_id__in=noms, **filtre_dep)
        .values("bailleur_id", "departement_id")
        .annotate(
            logements=Count("id", filter=Q(conventionne=True)),
            qpv=Count("id", filter=Q(conventionne=True, qpv=True)),
            plai=Count("id", filter=Q(conventionne=True, financement=Financement.PLAI)),
            plus=Count("id", filter=Q(conventionne=True, financement=Financement.PLUS)),
            pls=Count("id", filter=Q(conventionne=True, financement=Financement.PLS)),
            pli=Count("id", filter=Q(conventionne=True, financement=Financement.PLI)),
        )
    ):
        cible = row(r.pop("bailleur_id"), r.pop("departement_id"))
        cible.update(r)
        cible["autres_financements"] = r["logements"] - r["plai"] - r["plus"] - r["pls"] - r["pli"]
    for r in (
        ReservationStock.objects.filter(bailleur_id__in=noms, **filtre_dep)
        .vivantes(annee)
        .values("bailleur_id", "departement_id", "reservataire__type", "fondement")
        .annotate(n=Sum("nb_logements"))
    ):
        famille = _famille(r["reservataire__type"], r["fondement"])
        row(r["bailleur_id"], r["departement_id"])["reserve_" + famille] += r["n"]
    for r in (
        Exclusion.objects.filter(bailleur_id__in=noms, annee=annee, **filtre_dep)
        .values("bailleur_id", "departement_id")
        .annotate(
            stock=Sum("nb_logements", filter=Q(categorie__in=CATEGORIES_STOCK)),
            flux=Sum("nb_logements", filter=Q(categorie__in=CATEGORIES_FLUX)),
        )
    ):
        cible = row(r["bailleur_id"], r["departement_id"])
        cible["exclusions_stock"] = r["stock"] or 0
        cible["deductions_flux"] = r["flux"] or 0
    conversions = Conversion.objects.filter(
        bailleur_id__in=noms, annee=annee, est_courante=True, perimetre_type=TypePerimetre.DEPARTEMENT, **filtre_dep
    )
    for c in conversions:
        cible = row(c.bailleur_id, c.departement_id)
        cible["methode"] = Methode(c.methode).label
        cible["part_bailleur"] = c.part_bailleur_pct
        for famille in ("prefet", "als", "collectivites", "autres"):
            cible.setdefault("part_" + famille, Decimal(0))
    for r in (
        ConversionLigne.objects.filter(conversion__in=conversions)
        .values("conversion__bailleur_id", "conversion__departement_id", "reservataire__type")
        .annotate(part=Sum("part_flux_pct"))
    ):
        cible = row(r["conversion__bailleur_id"], r["conversion__departement_id"])
        cle = "part_" + {"agents": "prefet"}.get(_famille(r["reservataire__type"]), _famille(r["reservataire__type"]))
        cible[cle] = cible.get(cle, Decimal(0)) + r["part"]

    departements = dict(Departement.objects.filter(code__in={d for _, d in rows}).values_list("code", "nom"))
    resultat = []
    for (b, d), valeurs in sorted(rows.items(), key=lambda kv: (noms[kv[0][0]].nom, kv[0][1])):
        logements = valeurs["logements"]
        assiette = max(0, logements - valeurs["exclusions_stock"])
        total = sum(valeurs[f"reserve_{f}"] for f in ("prefet", "agents", "als", "collectivites", "autres"))
        ligne = {
            "bailleur_id": b,
            "bailleur": noms[b].nom,
            "type_bailleur": noms[b].get_type_display(),
            "departement": d,
            "departement_nom": departements.get(d, ""),
            **{k: valeurs[k] for k in ("logements", "qpv", "plai", "plus", "pls", "pli", "autres_financements")},
            "qpv_pct": round(Decimal(100 * valeurs["qpv"]) / logements, 1) if logements else Decimal(0),
            "exclusions_stock": valeurs["exclusions_stock"],
            "assiette": assiette,
            "deductions_flux": valeurs["deductions_flux"],
            "reserve_prefet": valeurs["reserve_prefet"],
            "reserve_agents": valeurs["reserve_agents"],
            "reserve_als": valeurs["reserve_als"],
            "reserve_collectivites": valeurs["reserve_collectivites"],
            "reserve_autres": valeurs["reserve_autres"],
            "reserve_total": total,
            "reserve_pct": round(CENT * total / assiette, 1) if assiette else Decimal(0),
            "non_reserve": max(0, assiette - total),
            "methode": valeurs.get("methode", ""),
        }
        for cle in ("part_prefet", "part_als", "part_collectivites", "part_autres", "part_bailleur"):
            ligne[cle] = round(valeurs[cle], 2) if cle in valeurs else None
        resultat.append(ligne)
    return resultat


SYNTHESE_SOMMES = (
    "logements",
    "qpv",
    "plai",
    "plus",
    "pls",
    "pli",
    "autres_financements",
    "exclusions_stock",
    "assiette",
    "deductions_flux",
    "reserve_prefet",
    "reserve_agents",
    "reserve_als",
    "reserve_collectivites",
    "reserve_autres",
    "reserve_total",
    "non_reserve",
)


def synthese_totaux(lignes: list[dict]) -> dict:
    totaux = {k: sum(ligne[k] for ligne in lignes) for k in SYNTHESE_SOMMES}
    totaux["qpv_pct"] = round(Decimal(100 * totaux["qpv"]) / totaux["logements"], 1) if totaux["logements"] else 0
    totaux["reserve_pct"] = round(CENT * totaux["reserve_total"] / totaux["assiette"], 1) if totaux["assiette"] else 0
    return totaux


# --- For the conventions app -------------------------------------------------------------------
def note_de_calcul(ligne: ConversionLigne) -> str:
    c = ligne.conversion
    nom = ligne.reservataire.nom
    n = len(ligne.detail)
    if c.methode == Methode.ROTATION:
        formule = (
            f"part du flux = (logements réservés × rotation de leurs contingents) ÷ (assiette × rotation du périmètre) "
            f"= ({nombre(ligne.nb_logements_reserves, 2)} × {nombre(ligne.taux_rotation, 2)} %) ÷ "
            f"({nombre(c.assiette, 2)} × {nombre(c.taux_rotation, 2)} %) = {nombre(ligne.part_flux_pct, 2)} %"
        )
    else:
        formule = (
            f"part du flux = logements réservés ÷ assiette = {nombre(ligne.nb_logements_reserves, 2)} ÷ "
            f"{nombre(c.assiette, 2)} = {nombre(ligne.part_flux_pct, 2)} %"
        )
    agents = ""
    if ligne.dont_agents_pct is not None:
        agents = f" dont {nombre(ligne.dont_agents_pct, 2)} % pour les agents civils et militaires de l'État ;"
    return (
        f"Conversion du stock en flux {c.annee} pour {c.bailleur.nom}, périmètre {c.perimetre_libelle}, "
        f"méthode « {c.get_methode_display()} » (calcul n° {c.pk} du {c.cree_le:%d/%m/%Y}). "
        f"Parc conventionné du bailleur dans le périmètre : {nombre(c.parc_total)} logements ; "
        f"hors assiette (réservations restant en stock, foyers et résidences) : {nombre(c.exclusions_stock, 2)} ; "
        f"assiette : {nombre(c.assiette, 2)} logements. "
        f"{nom} : {nombre(ligne.nb_logements_reserves, 2)} logements réservés encore actifs à l'état des lieux "
        f"({n} contingent{'s' if n > 1 else ''}, rotation moyenne {nombre(ligne.taux_rotation, 2)} %) ; {formule} ;"
        f"{agents} "
        f"taux de rotation du périmètre : {nombre(c.taux_rotation, 2)} % ({c.taux_rotation_source}). "
        f"Flux annuel prévisionnel : {nombre(c.flux_brut, 2)} logements libérés, moins {nombre(c.deductions_flux, 2)} "
        f"soustraits (mutations, relogements), soit {nombre(c.flux_net, 2)} logements, dont environ "
        f"{nombre(ligne.logements_par_an, 1)} par an pour {nom}. Part restant au bailleur : "
        f"{nombre(c.part_bailleur_pct, 2)} %."
    )


def conversion_convention_terms(conversion_line: ConversionLigne) -> dict:
    """The terms a convention draft takes from one réservataire's line of a conversion.

    Refused (ValidationError) when the line's périmètre is not the one of that réservataire's
    convention: a préfet line inside an EPCI run, or a commune line inside a département run.
    """
    ligne = ConversionLigne.objects.select_related(
        "conversion__bailleur", "conversion__departement", "conversion__epci", "conversion__commune", "reservataire"
    ).get(pk=conversion_line.pk)
    if not ligne.perimetre_de_convention:
        raise ValidationError(
            "Cette part est indicative : la convention de ce réservataire porte sur un autre périmètre "
            "(son territoire pour une commune ou un EPCI, le département sinon)."
        )
    c = ligne.conversion
    return {
        "bailleur": c.bailleur,
        "reservataire": ligne.reservataire,
        "departement": c.departement,
        "epci": c.epci,
        "commune": c.commune,
        "part_flux_pct": ligne.part_flux_pct,
        "annee": c.annee,
        "conversion_id": c.pk,
        "note_calcul": note_de_calcul(ligne),
    }
