"""Demo bilans: last year's orientations and CALEOL outcomes for the demo bailleur Nord, then its bilans.

Last year's orientations are written as history (as an import of the previous year would), because no
flux allocation exists for that year to run the proposal on; the CALEOL outcomes go through the
attribution service. Dwellings never oriented are used, and every orientation ends closed (lease
signed or returned), so the current year's demo orientations are never blocked. Idempotent.
"""

import datetime

from django.utils import timezone

from conventions.models import Convention, RegleAbsenceCandidat, Statut
from flux.models import Logement, NatureDisponibilite, Orientation, SourceDeclaration, StatutOrientation
from flux.models.orientation import Bilan
from flux.services.bilan import bilans_calculer, version_de
from flux.services.bilan_documents import bilan_pdf_produire
from flux.services.orientation.attribution import enregistrer_attribution

PAR_CONVENTION = 12


def _logements(nord, convention, n):
    logements = Logement.objects.filter(bailleur=nord, departement_id=convention.departement_id, orientations=None)
    if convention.commune_id:
        logements = logements.filter(commune_id=convention.commune_id)
    elif convention.epci_id:
        logements = logements.filter(epci_id=convention.epci_id)
    return list(logements.exclude(epci_id=None).order_by("rpls_id")[:n])


def _orienter(nord, convention, annee, by) -> int:
    version = version_de(convention)
    regle = version.regle_absence_candidat if version else RegleAbsenceCandidat.IMPUTE
    crees = 0
    for i, logement in enumerate(_logements(nord, convention, PAR_CONVENTION)):
        disponible = datetime.date(annee, 1 + i % 12, 1 + (i * 3) % 27)
        o = Orientation.objects.create(
            bailleur=nord, logement=logement, nature=NatureDisponibilite.RELOCATION, date_disponibilite=disponible,
            annee=annee, departement_id=logement.departement_id, epci_id=logement.epci_id,
            commune_id=logement.commune_id, qpv=logement.qpv, typologie=logement.typologie,
            financement=logement.financement, annee_construction=logement.annee_construction,
            reservataire_propose=convention.reservataire, reservataire=convention.reservataire,
            convention=convention, source=SourceDeclaration.IMPORT, declare_par=by,
        )  # fmt: skip
        crees += 1
        if i % 6 == 5:  # no candidate in time: the convention's rule applies
            o.statut, o.regle_appliquee = StatutOrientation.REMIS, regle
            o.remis_le = timezone.make_aware(datetime.datetime.combine(disponible, datetime.time(9)))
            o.impute = regle == RegleAbsenceCandidat.IMPUTE
            o.save(update_fields=["statut", "regle_appliquee", "remis_le", "impute"])
            continue
        caleol = disponible + datetime.timedelta(days=30)
        enregistrer_attribution(
            o,
            decision="sous_condition" if i % 7 == 3 else "attribution",
            date_caleol=caleol,
            bail_signe_le=caleol + datetime.timedelta(days=15),
            premier_quartile=not logement.qpv and i % 3 == 0,
            dalo=i % 4 == 0,
            prioritaire=i % 5 == 1,
            by=by,
        )
    return crees


def seed(ctx) -> None:
    nord = ctx.objects.get("bailleur_nord")
    redactrice = ctx.objects.get("bailleur.redacteur@demo.fr")
    if nord is None or redactrice is None:
        return
    annee = datetime.date.today().year - 1
    if Bilan.objects.filter(convention__bailleur=nord, annee=annee).exists():
        return
    conventions = (
        Convention.objects.filter(bailleur=nord).exclude(statut__in=(Statut.ABANDONNEE, Statut.BROUILLON))
    ).order_by("pk")
    if not Orientation.objects.filter(bailleur=nord, annee=annee).exists():
        for convention in conventions:
            _orienter(nord, convention, annee, redactrice)
    compte = bilans_calculer(bailleur=nord, annee=annee, by=redactrice)
    premier = Bilan.objects.filter(convention__bailleur=nord, annee=annee).order_by("pk").first()
    if premier is not None:
        bilan_pdf_produire(premier.pk)
    ctx.notes.append(
        f"Bilans {annee} : {compte['calcules']} bilan(s) calculé(s) pour {nord.nom} (menu « Bilans »), "
        "le premier avec son PDF ; indicateurs de mixité dans « Indicateurs de mixité »."
    )
