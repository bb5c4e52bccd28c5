"""The RPLS columns the patrimoine import accepts, and the validation of one line.

Header names follow the public RPLS files (DEPCOM, FINAN, CONSTRUCT, SURFHAB…) and the
snake_case names of the RPLS détaillées open data; matching ignores case and accents.
Values follow the RPLS coding (1 = oui, 2 = non; financement codes 10 to 99), with the
plain-text spellings bailleurs' own exports use.
"""

import datetime
import re
from operator import itemgetter

from flux.models.patrimoine import CODES_RPLS, Financement
from flux.services.lecture import Colonne, LigneErreur

COLONNES = [
    Colonne(
        "rpls_id",
        "identifiant RPLS",
        ("RPLS_ID", "identifiant_rpls", "numero_rpls", "num_rpls", "rpls", "id_rpls", "numrpls"),
        obligatoire=True,
    ),
    Colonne(
        "code_commune",
        "code commune",
        ("DEPCOM", "code_commune", "code_insee", "codgeo", "com", "code_commune_insee", "insee"),
        obligatoire=True,
    ),
    Colonne("qpv", "indicateur QPV", ("QPV", "en_qpv", "indicateur_qpv", "logement_qpv", "flag_qpv"), True),
    Colonne("qpv_code", "code QPV", ("CODE_QPV", "qpv_code", "cod_qpv", "num_qpv")),
    Colonne("qpv_millesime", "millésime QPV", ("QPV_MILLESIME", "millesime_qpv", "annee_qpv")),
    Colonne(
        "nb_pieces",
        "nombre de pièces",
        ("NBPIECE", "nb_pieces", "nbpieces", "nombre_pieces", "nb_piece", "pieces"),
        obligatoire=True,
    ),
    Colonne("financement", "financement", ("FINAN", "financement", "financement_initial", "code_financement"), True),
    Colonne("annee_construction", "année de construction", ("CONSTRUCT", "annee_achevement", "annee_constr")),
    Colonne("surface", "surface habitable", ("SURFHAB", "surface", "surface_habitable", "surf_hab")),
    Colonne("loyer", "loyer principal", ("LOYERPRINC", "loyer", "loyer_principal", "loyer_princ")),
    Colonne("conventionne", "conventionné APL", ("CONV", "conventionnement", "conventionne_apl")),
    Colonne("programme", "programme", ("PROGRAMME", "nom_programme", "code_programme", "nomprog", "num_programme")),
]
LIBELLES = {c.cle: c.libelle for c in COLONNES}
# Order of the staging table's input columns (see flux/services/staging.py).
CHAMPS_STAGING = (
    "ligne",
    "bailleur_id",
    "rpls_id",
    "code_commune",
    "qpv",
    "qpv_code",
    "qpv_millesime",
    "nb_pieces",
    "typologie",
    "financement",
    "code_financement",
    "annee_construction",
    "surface",
    "loyer",
    "conventionne",
    "programme",
)

OUI = frozenset({"1", "oui", "o", "true", "vrai", "x", "y", "yes"})
NON = frozenset({"2", "0", "non", "n", "false", "faux"})
MILLESIMES_QPV = (2015, 2024)
FINANCEMENTS_TEXTE = {
    **{k: Financement.PLAI for k in ("PLAI", "PLATS", "PLALM", "PLAINSERTION", "PLATRESSOCIAL", "LLTS")},
    **{k: Financement.PLUS for k in ("PLUS", "PLA", "PLAORDINAIRE", "LLS")},
    **{k: Financement.PLS for k in ("PLS", "PPLS", "PCLS", "PLACFF")},
    "PLI": Financement.PLI,
    **{k: Financement.ANCIEN for k in ("HBM", "PLR", "PSR", "PLRPSR", "HLMO", "ILM", "ILN", "CFF", "ANCIEN")},
    **{k: Financement.AUTRE for k in ("PAP", "PAPLOCATIF", "PCL", "AUTRE")},
}
RE_RPLS = re.compile(r"^[0-9A-Za-z]{1,20}$")
RE_COMMUNE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
RE_QPV = re.compile(r"^Q[A-Z0-9]{5,11}$")
RE_DECIMAL = re.compile(r"^\d{1,7}(?:\.\d{1,4})?$")
RE_SEPARATEURS = re.compile(r"[\s./'’-]+")
LOYER_SANS_OBJET = "9999"  # RPLS: the January rent was not fully invoiced
MESSAGE_FINANCEMENT = (
    "Code de financement inconnu : PLAI, PLUS, PLS, PLI, HLM/O… ou code RPLS (10 à 17, 49, 50 à 55, 99)."
)


def normaliser_rpls_id(valeur: str) -> str:
    """Spreadsheets drop the leading zeros of the 10-position RPLS identifier: put them back."""
    return valeur.zfill(10) if valeur.isdigit() and len(valeur) < 10 else valeur


def normaliser_commune(valeur: str) -> str:
    valeur = valeur.upper()
    return valeur.zfill(5) if valeur.isdigit() and len(valeur) == 4 else valeur


def financement_de(valeur: str) -> tuple[str, str] | None:
    """(catégorie, code conservé) for an RPLS code or a usual spelling; None when unknown."""
    code = valeur.strip()
    if code in CODES_RPLS:
        return CODES_RPLS[code], code
    cle = RE_SEPARATEURS.sub("", code.upper())
    if cle in FINANCEMENTS_TEXTE:
        return FINANCEMENTS_TEXTE[cle], cle[:10]
    return None


class ValidateurLogement:
    """Turns one file line into a staging row, or French errors for each bad cell."""

    def __init__(self, index: dict[str, int], bailleur_id: int):
        self.cles = [c.cle for c in COLONNES]
        vide = max(index.values(), default=0) + 1  # missing optional columns read this empty cell
        self.taille = vide + 1
        self.lire = itemgetter(*[index.get(cle, vide) for cle in self.cles])
        self.bailleur_id = bailleur_id
        self.annee_max = datetime.date.today().year + 5

    def __call__(self, ligne: int, cellules: list[str]) -> tuple[tuple | None, list[LigneErreur]]:
        if len(cellules) < self.taille:
            cellules = cellules + [""] * (self.taille - len(cellules))
        valeurs = self.lire(cellules)
        (rpls_id, commune, qpv_txt, qpv_code, millesime_txt, pieces_txt, finan_txt, annee_txt, surface_txt,
         loyer_txt, conv_txt, programme) = valeurs  # fmt: skip
        erreurs: list[LigneErreur] = []

        def erreur(cle: str, message: str) -> None:
            erreurs.append(LigneErreur(ligne, LIBELLES[cle], valeurs[self.cles.index(cle)], message))

        rpls_id = normaliser_rpls_id(rpls_id)
        if not rpls_id:
            erreur("rpls_id", "Identifiant RPLS manquant.")
            return None, erreurs
        if not RE_RPLS.match(rpls_id):
            erreur("rpls_id", "Identifiant RPLS invalide : 1 à 20 lettres ou chiffres attendus (10 dans le RPLS).")
            return None, erreurs

        commune = normaliser_commune(commune)
        if not commune:
            erreur("code_commune", "Code commune manquant.")
        elif not RE_COMMUNE.match(commune):
            erreur("code_commune", "Code commune mal formé : 5 caractères INSEE attendus (ex. 59350, 2A004).")

        qpv = self._oui_non(qpv_txt)
        if qpv is None:
            erreur("qpv", "Indicateur QPV invalide : 1 (en QPV) ou 2 (hors QPV) attendu, ou oui / non.")
        if qpv_code:
            qpv_code = qpv_code.upper()
            if not RE_QPV.match(qpv_code):
                erreur("qpv_code", "Code QPV mal formé (ex. QN05912M, QP059012).")
            elif qpv is False:
                erreur("qpv_code", "Code QPV renseigné pour un logement déclaré hors QPV.")
        millesime = None
        if millesime_txt:
            millesime = self._entier(millesime_txt)
            if millesime not in MILLESIMES_QPV:
                erreur("qpv_millesime", "Millésime QPV invalide : 2015 (décret 2014-1750) ou 2024 (décret 2023-1314).")

        pieces = self._entier(pieces_txt)
        if pieces is None or not 1 <= pieces <= 20:
            erreur("nb_pieces", "Nombre de pièces invalide : entier de 1 à 20 attendu.")

        financement = financement_de(finan_txt) if finan_txt else None
        if financement is None:
            erreur("financement", MESSAGE_FINANCEMENT if finan_txt else "Financement manquant.")

        annee = None
        if annee_txt:
            annee = self._entier(annee_txt)
            if annee is None or not 1700 <= annee <= self.annee_max:
                erreur("annee_construction", f"Année de construction invalide : entre 1700 et {self.annee_max}.")
        surface = None
        if surface_txt:
            surface = self._decimal(surface_txt, 1, 9999)
            if surface is None:
                erreur("surface", "Surface invalide : nombre de m² entre 1 et 9 999.")
        loyer = None
        if loyer_txt and loyer_txt != LOYER_SANS_OBJET:
            loyer = self._decimal(loyer_txt, 0, 99999)
            if loyer is None:
                erreur("loyer", "Loyer invalide : montant en euros entre 0 et 99 999.")
        conventionne = True
        if conv_txt:
            conventionne = self._oui_non(conv_txt)
            if conventionne is None:
                erreur("conventionne", "Conventionnement invalide : 1 (oui) ou 2 (non) attendu.")
        if len(programme) > 100:
            erreur("programme", "Référence de programme trop longue (100 caractères au plus).")

        if erreurs:
            # Still staged with its identifier (and a well-formed commune code), so that a duplicate
            # of this line and an unknown commune are reported too.
            code = commune if commune and RE_COMMUNE.match(commune) else None
            return (ligne, self.bailleur_id, rpls_id, code, *([None] * (len(CHAMPS_STAGING) - 4))), erreurs
        return (
            ligne,
            self.bailleur_id,
            rpls_id,
            commune,
            qpv,
            qpv_code,
            millesime,
            pieces,
            min(pieces, 6),
            financement[0],
            financement[1],
            annee,
            surface,
            loyer,
            conventionne,
            programme,
        ), erreurs

    @staticmethod
    def _oui_non(valeur: str) -> bool | None:
        valeur = valeur.lower()
        if valeur in OUI:
            return True
        if valeur in NON:
            return False
        return None

    @staticmethod
    def _entier(valeur: str) -> int | None:
        if valeur.isdigit():
            return int(valeur)
        valeur = valeur.replace(",", ".")
        if RE_DECIMAL.match(valeur) and float(valeur).is_integer():
            return int(float(valeur))
        return None

    @staticmethod
    def _decimal(valeur: str, minimum, maximum) -> str | None:
        texte = valeur.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not RE_DECIMAL.match(texte) or not minimum <= float(texte) <= maximum:
            return None
        return texte
