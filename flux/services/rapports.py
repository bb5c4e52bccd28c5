"""Line-by-line error reports of the imports: kept on the job, downloadable as CSV."""

import csv
import io
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.urls import reverse

from core.jobs import JobFailure
from core.models import Job
from flux.services.lecture import FichierIllisible, LigneErreur

MAX_AFFICHEES = 200
MAX_RAPPORT = 50_000


class RapportErreurs:
    """Collects errors (at most MAX_RAPPORT of them) while counting them all."""

    def __init__(self):
        self.erreurs: list[LigneErreur] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def ajouter(self, erreur: LigneErreur) -> None:
        self.total += 1
        if len(self.erreurs) < MAX_RAPPORT:
            self.erreurs.append(erreur)

    def etendre(self, erreurs) -> None:
        for e in erreurs:
            self.ajouter(e)

    def tries(self) -> list[LigneErreur]:
        return sorted(self.erreurs, key=lambda e: (e.ligne or 0, e.colonne))


class ImportRefuse(Exception):
    """At least one line is wrong: nothing was written."""

    def __init__(self, rapport: RapportErreurs, resume: dict | None = None):
        super().__init__(f"{rapport.total} erreur(s)")
        self.rapport = rapport
        self.resume = resume or {}


def rapport_csv(erreurs: list[LigneErreur]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Ligne", "Colonne", "Valeur", "Message"])
    for e in erreurs:
        writer.writerow([e.ligne or "", e.colonne, e.valeur, e.message])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rapport_resultat(job: Job, erreurs: list[LigneErreur], total: int, resume: dict | None = None) -> dict:
    """Store the downloadable report on the job and return what the job page shows."""
    name = job.result_file.storage.save(f"flux/rapports/rapport-{job.pk}.csv", ContentFile(rapport_csv(erreurs)))
    Job.objects.filter(pk=job.pk).update(result_file=name)
    result = {
        "erreurs": [e.as_dict() for e in erreurs[:MAX_AFFICHEES]],
        "nb_erreurs": total,
        "rapport_url": reverse("flux:import_rapport", args=[job.pk]),
    }
    if total > MAX_AFFICHEES:
        result["erreurs_tronquees"] = True
    if total > len(erreurs):
        result["rapport_tronque"] = True
    if resume:
        result["resume"] = resume
    return result


CONSEIL_REIMPORT = "corrigez les lignes signalées puis importez à nouveau le fichier complet"


@contextmanager
def import_refuse_en_echec(job: Job, *, rien_ecrit: str, conseil: bool = True):
    """Turn an unreadable file or refused lines into the job's French failure and its downloadable report.

    ``rien_ecrit`` says what was not written (e.g. « Aucun logement n'a été enregistré »)."""
    try:
        yield
    except FichierIllisible as exc:
        raise JobFailure(
            f"Import refusé : {exc.message} {rien_ecrit}.", rapport_resultat(job, exc.erreurs, len(exc.erreurs))
        ) from None
    except ImportRefuse as exc:
        n = exc.rapport.total
        suite = f" ; {CONSEIL_REIMPORT}" if conseil else ""
        raise JobFailure(
            f"Import refusé : {n} erreur{'s' if n > 1 else ''} dans le fichier. {rien_ecrit}{suite}.",
            rapport_resultat(job, exc.rapport.tries(), n, exc.resume),
        ) from None
