"""Demo orientations for the demo bailleur Nord over the current year: declared through the real
service (proposal from this year's allocations when the engine seed made them, else the bailleur's
own share with a few motivated orientations to the demo réservataires), some with candidates, CALEOL
outcomes (first quartile, DALO), one past its deadline and remis à disposition.

Idempotent (nothing is added once Nord has orientations this year) and fast (a dozen dwellings).
No e-mail is sent: deadlines are set directly by the notice service.
"""

import datetime

from django.utils import timezone

from core.demo import DemoContext
from flux.models import DecisionCaleol, Logement, NatureDisponibilite, Orientation, SourceDeclaration
from flux.services.orientation.attribution import enregistrer_attribution
from flux.services.orientation.declaration import OrientationErreur, declarer
from flux.services.orientation.echeances import expirer, notifier, proposer_candidats
from flux.services.orientation.proposition import proposer

NOMBRE = 12


def seed(ctx: DemoContext) -> None:
    nord = ctx.objects.get("bailleur_nord")
    redactrice = ctx.objects.get("bailleur.redacteur@demo.fr")
    if nord is None:
        return
    aujourd_hui = timezone.localdate()
    annee = aujourd_hui.year
    if Orientation.objects.filter(bailleur=nord, annee=annee).exists():
        return
    logements = list(
        Logement.objects.filter(bailleur=nord, epci__isnull=False)
        .exclude(orientations__annee=annee)
        .order_by("rpls_id")[:NOMBRE]
    )
    derogations = [ctx.objects.get("als_hdf"), ctx.objects.get("prefet_59"), ctx.objects.get("mel")]
    orientations = []
    for i, logement in enumerate(logements):
        # Spread over the elapsed months, oldest first; the last ones are recent.
        jour = datetime.date(annee, 1, 2) + (aujourd_hui - datetime.date(annee, 1, 2)) * i // max(1, len(logements))
        nature = NatureDisponibilite.PREMIERE_LOCATION if i % 5 == 4 else NatureDisponibilite.RELOCATION
        proposition = proposer(
            bailleur_id=nord.pk, annee=annee, epci_id=logement.epci_id, qpv=logement.qpv, typologie=logement.typologie
        )
        choix, motif = "propose", ""
        if proposition.reservataire_id is None and i % 2 == 0 and derogations[i % 3] is not None:
            # No allocation to follow (engine not run): orient a few to the demo réservataires, motivated.
            choix, motif = (
                derogations[i % 3],
                "Démonstration : ménage relevant de ce contingent, désigné en commission.",
            )
        try:
            o = declarer(
                logement=logement,
                date_disponibilite=jour,
                nature=nature,
                source=SourceDeclaration.NAVIGATEUR,
                by=redactrice,
                reservataire=choix,
                motif=motif,
                notifier_apres_commit=False,
            )
        except OrientationErreur:
            continue
        if o.reservataire_id:
            notifier(o, timezone.make_aware(datetime.datetime.combine(jour, datetime.time(9))))
        orientations.append(o)
    avec_reservataire = [o for o in orientations if o.reservataire_id]
    # The oldest oriented dwelling gets no candidate: its deadline passed, it is remis à disposition.
    suivies = avec_reservataire[1:]
    for n, o in enumerate(suivies[:5]):
        proposer_candidats(o, nb_candidats=3, references=f"0591{annee}{o.pk:06d}")
        if n < 3:
            caleol = o.date_disponibilite + datetime.timedelta(days=21)
            enregistrer_attribution(
                o,
                decision=DecisionCaleol.ATTRIBUTION,
                date_caleol=min(caleol, aujourd_hui),
                bail_signe_le=min(caleol + datetime.timedelta(days=10), aujourd_hui) if n < 2 else None,
                premier_quartile=n == 0,
                dalo=n == 1,
                prioritaire=n == 1,
                by=redactrice,
            )
    expirer(aujourd_hui)
    ctx.notes.append(
        f"Orientations : {len(orientations)} logements de {nord.nom} déclarés en {annee} "
        f"({len(avec_reservataire)} orientés vers un réservataire, dont attributions et une remise à disposition)."
    )
