"""Recording the CALEOL outcome of an oriented dwelling (feeds the bilan and mixité indicators).

Transitions: ORIENTE/CANDIDATS → ATTRIBUE (attribution, sous condition) → BAIL_SIGNE (lease date
given); non-attribution or refusal → CANDIDATS again (new candidates may be proposed)."""

import datetime

from django.db import transaction

from flux.models import Attribution, DecisionCaleol, Orientation, StatutOrientation
from flux.services.orientation.echeances import verifier_version

OUVERTS_A_LA_CALEOL = (StatutOrientation.ORIENTE, StatutOrientation.CANDIDATS, StatutOrientation.ATTRIBUE)


def enregistrer_attribution(
    orientation: Orientation,
    *,
    decision: str,
    date_caleol: datetime.date,
    bail_signe_le: datetime.date | None = None,
    premier_quartile: bool = False,
    dalo: bool = False,
    prioritaire: bool = False,
    relogement_renouvellement: bool = False,
    by=None,
    expected_version: int | None = None,
) -> Attribution:
    if decision not in DecisionCaleol.values:
        raise ValueError("Décision de la CALEOL inconnue.")
    accorde = decision in (DecisionCaleol.ATTRIBUTION, DecisionCaleol.SOUS_CONDITION)
    if bail_signe_le and not accorde:
        raise ValueError("Un bail ne peut être signé qu'après une attribution.")
    if bail_signe_le and bail_signe_le < date_caleol:
        raise ValueError("La date de signature du bail précède la CALEOL.")
    with transaction.atomic():
        o = Orientation.objects.select_for_update().get(pk=orientation.pk)
        verifier_version(o, expected_version)
        if o.statut not in OUVERTS_A_LA_CALEOL:
            raise ValueError("Ce logement n'est plus en cours d'attribution.")
        attribution, _ = Attribution.objects.update_or_create(
            orientation=o,
            defaults=dict(
                decision=decision,
                date_caleol=date_caleol,
                bail_signe_le=bail_signe_le,
                premier_quartile=premier_quartile,
                dalo=dalo,
                prioritaire=prioritaire,
                relogement_renouvellement=relogement_renouvellement,
                saisi_par=by,
            ),
        )
        if bail_signe_le:
            o.statut = StatutOrientation.BAIL_SIGNE
        elif accorde:
            o.statut = StatutOrientation.ATTRIBUE
        else:
            o.statut = StatutOrientation.CANDIDATS
        o.lock_version += 1
        o.save(update_fields=["statut", "lock_version", "modifie_le"])
        return attribution
