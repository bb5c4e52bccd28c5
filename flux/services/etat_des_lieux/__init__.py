"""État des lieux des réservations: line services (``lignes``) and the spreadsheet import (``import_tableur``)."""

from flux.services.etat_des_lieux.import_tableur import (
    COLONNES,
    KIND_IMPORT_ETAT_DES_LIEUX,
    etat_des_lieux_import,
    etat_des_lieux_import_demander,
    etat_des_lieux_import_job,
)
from flux.services.etat_des_lieux.lignes import (
    Contexte,
    reservation_create,
    reservation_delete,
    reservation_update,
    valider_reservation,
)

__all__ = [
    "COLONNES",
    "KIND_IMPORT_ETAT_DES_LIEUX",
    "Contexte",
    "etat_des_lieux_import",
    "etat_des_lieux_import_demander",
    "etat_des_lieux_import_job",
    "reservation_create",
    "reservation_delete",
    "reservation_update",
    "valider_reservation",
]
