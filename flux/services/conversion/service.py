"""Gathering a conversion's inputs with a few aggregate queries, storing them with the result."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from flux.models import (
    CATEGORIES_FLUX,
    CATEGORIES_STOCK,
    Conversion,
    ConversionLigne,
    Exclusion,
    Logement,
    Methode,
    ReservationStock,
    TypePerimetre,
)
from flux.services.conversion.calcul import Contingent, calculer, q2, q4, rotation_par_defaut
from flux.services.conversion.perimetre import Perimetre, perimetre_lire
from flux.services.journal import evenement_log
from flux.services.patrimoine import verifier_redacteur
from reservataires.models import Organisation, TypeOrganisation


def _entrees(bailleur: Organisation, perimetre: Perimetre, annee: int, taux: Decimal):
    logements = Logement.objects.filter(bailleur=bailleur)
    dans = logements.filter(perimetre.filtre_logements())
    comptes = dans.aggregate(
        conv=Count("id", filter=Q(conventionne=True)), non_conv=Count("id", filter=Q(conventionne=False))
    )
    parc_total, non_conventionnes = comptes["conv"], comptes["non_conv"]

    # Exclusions are set per département: a territorial périmètre takes its share of the stock.
    par_dep_dans = dict(
        dans.filter(conventionne=True)
        .values_list("departement_id")
        .annotate(n=Count("id"))
        .values_list("departement_id", "n")
    )
    deps = set(par_dep_dans) | {perimetre.departement.code}
    par_dep_total = dict(
        logements.filter(conventionne=True, departement_id__in=deps)
        .values_list("departement_id")
        .annotate(n=Count("id"))
        .values_list("departement_id", "n")
    )
    exclusions_detail, excl_stock, excl_flux = [], Decimal(0), Decimal(0)
    for exclusion in Exclusion.objects.filter(bailleur=bailleur, annee=annee, departement_id__in=deps).order_by("pk"):
        total_dep = par_dep_total.get(exclusion.departement_id, 0)
        if perimetre.type == TypePerimetre.DEPARTEMENT:
            prorata = Decimal(1)
        else:
            prorata = Decimal(par_dep_dans.get(exclusion.departement_id, 0)) / total_dep if total_dep else Decimal(0)
        retenu = q2(exclusion.nb_logements * prorata)
        if exclusion.categorie in CATEGORIES_STOCK:
            excl_stock += retenu
        elif exclusion.categorie in CATEGORIES_FLUX:
            excl_flux += retenu
        exclusions_detail.append(
            {
                "exclusion": exclusion.pk,
                "departement": exclusion.departement_id,
                "categorie": exclusion.categorie,
                "porte_sur": "stock" if exclusion.categorie in CATEGORIES_STOCK else "flux",
                "nb_logements": exclusion.nb_logements,
                "prorata": str(q4(prorata)),
                "retenu": str(retenu),
            }
        )

    lignes = list(
        ReservationStock.objects.filter(bailleur=bailleur, departement_id__in=deps)
        .select_related("reservataire", "commune")
        .order_by("pk")
    )
    vivantes = {r.pk for r in ReservationStock.objects.filter(pk__in=[r.pk for r in lignes]).vivantes(annee)}
    ids = [r.pk for r in lignes]
    through = ReservationStock.logements.through
    liens = {
        row["reservationstock_id"]: (row["total"], row["dedans"])
        for row in through.objects.filter(reservationstock_id__in=ids)
        .values("reservationstock_id")
        .annotate(total=Count("id"), dedans=Count("id", filter=perimetre.filtre_logements("logement__")))
    }
    programmes = {p for r in lignes for p in r.programmes}
    par_programme = {
        row["programme"]: (row["total"], row["dedans"])
        for row in logements.filter(programme__in=programmes)
        .values("programme")
        .annotate(total=Count("id"), dedans=Count("id", filter=perimetre.filtre_logements()))
    }

    contingents, detail_lignes, alertes = [], [], []
    non_localisees = 0
    for r in lignes:
        info = {
            "reservation": r.pk,
            "reservataire": r.reservataire_id,
            "reservataire_nom": r.reservataire.nom,
            "fondement": r.fondement,
            "nb_logements": r.nb_logements,
            "date_fin": r.date_fin.isoformat() if r.date_fin else None,
            "taux_rotation": str(r.taux_rotation) if r.taux_rotation is not None else None,
            "reference": r.reference,
        }
        if r.pk not in vivantes:
            info.update(retenue=False, motif="droit éteint ou désignation unique sans droit de suite", nb_retenu="0")
            detail_lignes.append(info)
            continue
        if r.pk in liens and liens[r.pk][0]:
            total, dedans = liens[r.pk]
            nb, localisation = Decimal(r.nb_logements) * dedans / total, f"{dedans}/{total} logements identifiés"
        elif r.programmes and sum(par_programme.get(p, (0, 0))[0] for p in r.programmes):
            total = sum(par_programme.get(p, (0, 0))[0] for p in r.programmes)
            dedans = sum(par_programme.get(p, (0, 0))[1] for p in r.programmes)
            nb, localisation = Decimal(r.nb_logements) * dedans / total, f"{dedans}/{total} logements des programmes"
        elif r.commune_id:
            nb = Decimal(r.nb_logements) if perimetre.contient_commune(r.commune) else Decimal(0)
            localisation = f"commune {r.commune_id}"
        elif perimetre.type == TypePerimetre.DEPARTEMENT:
            nb, localisation = Decimal(r.nb_logements), "département"
        elif perimetre.est_territoire_de(r.reservataire):
            nb, localisation = Decimal(r.nb_logements), "territoire du réservataire"
        else:
            nb, localisation = Decimal(0), "non localisée dans le département"
            non_localisees += r.nb_logements
        info.update(retenue=nb > 0, localisation=localisation, nb_retenu=str(q2(nb)))
        if nb <= 0 and "motif" not in info:
            info["motif"] = "hors du périmètre"
        detail_lignes.append(info)
        if nb > 0:
            contingents.append(Contingent(r.pk, r.reservataire_id, r.fondement, nb, r.taux_rotation))
    if non_localisees:
        alertes.append(
            f"{non_localisees} logement(s) réservé(s) sans localisation plus fine que le département (ni logements, "
            "ni programme, ni commune) ne sont pas comptés dans ce périmètre territorial."
        )
    return {
        "parc_total": parc_total,
        "non_conventionnes": non_conventionnes,
        "exclusions_stock": q2(excl_stock),
        "deductions_flux": q2(excl_flux),
        "contingents": contingents,
        "reservataires": {r.reservataire_id: r.reservataire for r in lignes},
        "detail": {"lignes_etat_des_lieux": detail_lignes, "exclusions": exclusions_detail},
        "alertes": alertes,
    }


@transaction.atomic
def conversion_calculer(
    *,
    bailleur: Organisation,
    perimetre: str | Perimetre,
    annee: int,
    methode: str,
    taux_rotation: Decimal | None = None,
    by,
) -> Conversion:
    verifier_redacteur(by, bailleur, "calculer la conversion")
    if isinstance(perimetre, str):
        perimetre = perimetre_lire(perimetre)
    erreurs = {}
    if methode not in Methode.values:
        erreurs["methode"] = "Méthode inconnue : ratio_simple ou rotation."
    if not isinstance(annee, int) or not 2018 <= annee <= 2100:
        erreurs["annee"] = "Année entre 2018 et 2100."
    if taux_rotation is not None and not Decimal("0.1") <= taux_rotation <= Decimal(50):
        erreurs["taux_rotation"] = "Taux de rotation en pourcentage, entre 0,1 et 50."
    if erreurs:
        raise ValidationError(erreurs)
    if taux_rotation is None:
        taux, source = rotation_par_defaut(perimetre.departement)
    else:
        taux, source = q2(taux_rotation), "Taux saisi pour ce calcul"
    e = _entrees(bailleur, perimetre, annee, taux)
    prefets = {pk for pk, org in e["reservataires"].items() if org.type == TypeOrganisation.PREFET}
    resultat = calculer(
        methode=methode,
        parc_total=e["parc_total"],
        exclusions_stock=e["exclusions_stock"],
        deductions_flux=e["deductions_flux"],
        taux_rotation=taux,
        contingents=e["contingents"],
        prefets=prefets,
    )
    precedente = (
        Conversion.objects.select_for_update()
        .filter(bailleur=bailleur, perimetre_code=perimetre.cle, annee=annee, est_courante=True)
        .first()
    )
    if precedente is not None:
        Conversion.objects.filter(pk=precedente.pk).update(est_courante=False)
    conversion = Conversion.objects.create(
        bailleur=bailleur,
        annee=annee,
        methode=methode,
        perimetre_type=perimetre.type,
        perimetre_code=perimetre.cle,
        departement=perimetre.departement,
        epci=perimetre.epci,
        commune=perimetre.commune,
        taux_rotation=taux,
        taux_rotation_source=source,
        parc_total=e["parc_total"],
        non_conventionnes=e["non_conventionnes"],
        exclusions_stock=e["exclusions_stock"],
        assiette=resultat.assiette,
        deductions_flux=e["deductions_flux"],
        flux_brut=resultat.flux_brut,
        flux_net=resultat.flux_net,
        total_reserve_pct=resultat.total_pct,
        part_bailleur_pct=resultat.part_bailleur_pct,
        entrees={
            **e["detail"],
            "taux_rotation_saisi": taux_rotation is not None,
            "calcule_le": datetime.date.today().isoformat(),
        },
        alertes=e["alertes"] + resultat.alertes,
        est_courante=True,
        precedente=precedente,
        cree_par=by,
    )
    ConversionLigne.objects.bulk_create(
        [
            ConversionLigne(
                conversion=conversion,
                reservataire_id=p.reservataire_id,
                nb_logements_reserves=p.nb,
                taux_rotation=p.rotation,
                poids=p.poids,
                part_flux_pct=p.part_pct,
                logements_par_an=p.logements_par_an,
                dont_agents_pct=p.dont_agents_pct,
                perimetre_de_convention=perimetre.est_territoire_de(e["reservataires"][p.reservataire_id]),
                detail=p.detail,
            )
            for p in resultat.parts
        ]
    )
    evenement_log(
        bailleur=bailleur,
        type="conversion",
        by=by,
        message=(
            f"Conversion {annee} – {perimetre.libelle} ({conversion.get_methode_display()}) : "
            f"{len(resultat.parts)} réservataire(s), part du bailleur {resultat.part_bailleur_pct:.2f} %."
        ),
        details={"conversion": conversion.pk, "precedente": precedente.pk if precedente else None},
    )
    return conversion


def conversion_perimetre(conversion: Conversion) -> Perimetre:
    return Perimetre(
        conversion.perimetre_type,
        conversion.perimetre_code[1:],
        conversion.departement,
        epci=conversion.epci,
        commune=conversion.commune,
    )


def conversion_basculer(*, conversion: Conversion, by, methode: str | None = None) -> Conversion:
    """Recompute the same périmètre and year with the other method; both runs stay on record."""
    saisi = conversion.entrees.get("taux_rotation_saisi", False)
    return conversion_calculer(
        bailleur=conversion.bailleur,
        perimetre=conversion_perimetre(conversion),
        annee=conversion.annee,
        methode=methode or conversion.autre_methode,
        taux_rotation=conversion.taux_rotation if saisi else None,
        by=by,
    )
