"""Streaming reader for spreadsheet imports (CSV or XLSX), whatever their encoding.

Nothing here holds the whole file: CSV is decoded line by line from the binary stream,
XLSX is read with openpyxl's read-only mode. Callers receive ``(line number, cells)``
with every cell as a stripped string, and whole-file problems (format, encoding, missing
columns) as a ``FichierIllisible`` carrying French messages.
"""

import codecs
import csv
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

SAMPLE_SIZE = 1024 * 1024
ENCODAGES = {"utf-8-sig": "UTF-8 (avec BOM)", "utf-8": "UTF-8", "cp1252": "Windows-1252 / Latin-1"}
MESSAGE_ENCODAGE_MELANGE = (
    "Caractères illisibles : cette ligne n'est pas dans l'encodage du début du fichier (encodage mélangé ?). "
    "Réenregistrez le fichier en CSV UTF-8."
)
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class LigneErreur:
    ligne: int | None
    colonne: str
    valeur: str
    message: str

    def as_dict(self) -> dict:
        return {"ligne": self.ligne, "colonne": self.colonne, "valeur": self.valeur, "message": self.message}


@dataclass(frozen=True)
class LigneIllisible:
    """Yielded instead of the cells of a line that could not be decoded or parsed."""

    valeur: str
    message: str


class FichierIllisible(Exception):
    """The file cannot be read at all (format, encoding, header). ``erreurs`` details it."""

    def __init__(self, message: str, erreurs: list[LigneErreur] | None = None):
        super().__init__(message)
        self.message = message
        self.erreurs = erreurs or [LigneErreur(None, "", "", message)]


@dataclass(frozen=True)
class Colonne:
    cle: str
    libelle: str
    alias: tuple[str, ...]
    obligatoire: bool = False


@dataclass
class Tableau:
    format: str
    encodage: str | None
    entetes: list[str]
    index: dict[str, int]
    lignes: Iterator[tuple[int, list[str] | LigneIllisible]]
    total_estime: int
    separateur: str | None = None
    _fermer: list = field(default_factory=list)

    def fermer(self) -> None:
        for close in self._fermer:
            close()

    @property
    def encodage_libelle(self) -> str:
        return ENCODAGES.get(self.encodage or "", "XLSX (Unicode)")


def normaliser_entete(texte: str) -> str:
    texte = unicodedata.normalize("NFKD", str(texte)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", texte.lower()).strip("_")


def ouvrir_tableau(path: str | Path, colonnes: list[Colonne]) -> Tableau:
    path = Path(path)
    with path.open("rb") as fh:
        debut = fh.read(8)
    if not debut:
        raise FichierIllisible("Le fichier est vide.")
    if debut.startswith(b"PK\x03\x04"):
        tableau = _ouvrir_xlsx(path)
    elif debut.startswith(b"\xd0\xcf\x11\xe0"):
        raise FichierIllisible(
            "Format Excel 97-2003 (.xls) non pris en charge : enregistrez le fichier au format XLSX ou CSV."
        )
    elif debut.startswith(b"%PDF"):
        raise FichierIllisible("Ce fichier est un PDF : importez un tableur au format CSV ou XLSX.")
    else:
        tableau = _ouvrir_csv(path)
    try:
        tableau.index = _associer_colonnes(tableau.entetes, colonnes)
    except FichierIllisible:
        tableau.fermer()
        raise
    return tableau


def _associer_colonnes(entetes: list[str], colonnes: list[Colonne]) -> dict[str, int]:
    par_alias = {normaliser_entete(a): c for c in colonnes for a in (c.cle, *c.alias)}
    index: dict[str, int] = {}
    erreurs = []
    for position, entete in enumerate(entetes):
        colonne = par_alias.get(normaliser_entete(entete))
        if colonne is None:
            continue  # RPLS exports carry many more columns: ignored
        if colonne.cle in index:
            erreurs.append(
                LigneErreur(
                    1,
                    colonne.libelle,
                    entete,
                    f"Colonne « {colonne.libelle} » présente deux fois "
                    f"(« {entetes[index[colonne.cle]]} » et « {entete} ») : gardez-en une seule.",
                )
            )
            continue
        index[colonne.cle] = position
    for colonne in colonnes:
        if colonne.obligatoire and colonne.cle not in index:
            acceptes = ", ".join((colonne.cle, *colonne.alias)[:6])
            erreurs.append(
                LigneErreur(
                    1,
                    colonne.libelle,
                    "",
                    f"Colonne obligatoire absente : « {colonne.libelle} » (en-têtes acceptés : {acceptes}…).",
                )
            )
    if erreurs:
        raise FichierIllisible(
            "L'en-tête du fichier ne convient pas : " + " ".join(e.message for e in erreurs), erreurs
        )
    return index


# --- CSV ---------------------------------------------------------------------------------
def detecter_encodage(echantillon: bytes) -> tuple[str, bool]:
    """Return (codec, provisional). Provisional: the sample was plain ASCII, so UTF-8 is a guess
    that may turn into Windows-1252 at the first accented byte further down."""
    if echantillon.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if echantillon.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in echantillon:
        raise FichierIllisible(
            "Encodage non pris en charge (UTF-16 ou fichier binaire) : enregistrez le fichier en CSV UTF-8 "
            "ou en CSV Windows-1252 (« CSV (séparateur : point-virgule) » dans Excel)."
        )
    coupe = echantillon if len(echantillon) < SAMPLE_SIZE else echantillon[: echantillon.rfind(b"\n") + 1]
    try:
        texte = coupe.decode("utf-8")
    except UnicodeDecodeError:
        if _lignes_utf8(coupe):
            return "utf-8", False  # mixed file: the lines that are not UTF-8 are reported one by one
    else:
        return "utf-8", texte.isascii()
    try:
        texte = coupe.decode("cp1252")
    except UnicodeDecodeError:
        texte = None
    if texte is not None and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", texte):
        return "cp1252", False
    from charset_normalizer import from_bytes

    devine = from_bytes(coupe).best()
    precision = f" (il ressemble à « {devine.encoding} »)" if devine is not None else ""
    raise FichierIllisible(
        f"Encodage du fichier non reconnu{precision} : seuls l'UTF-8 (avec ou sans BOM) et le "
        "Windows-1252 / Latin-1 sont acceptés. Réenregistrez le fichier en CSV UTF-8."
    )


def _lignes_utf8(echantillon: bytes) -> int:
    """Lines that are genuinely UTF-8 (accented and valid): Windows-1252 text almost never is."""
    n = 0
    for ligne in echantillon.splitlines():
        if not ligne.isascii():
            try:
                ligne.decode("utf-8")
            except UnicodeDecodeError:
                continue
            n += 1
    return n


def _compter_lignes(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        while bloc := fh.read(SAMPLE_SIZE):
            n += bloc.count(b"\n")
    return n


class _Decodeur:
    """Decode raw lines; a provisional UTF-8 guess switches once to Windows-1252."""

    def __init__(self, encodage: str, provisoire: bool):
        self.encodage = "utf-8" if encodage == "utf-8-sig" else encodage
        self.provisoire = provisoire
        self.premier = encodage == "utf-8-sig"
        self.erreurs: list[tuple[int, str]] = []

    def lignes(self, fh) -> Iterator[str]:
        for numero, brut in enumerate(fh, start=1):
            if self.premier:
                brut = brut.removeprefix(codecs.BOM_UTF8)
                self.premier = False
            try:
                texte = brut.decode(self.encodage)
            except UnicodeDecodeError:
                if self.provisoire:
                    self.encodage, self.provisoire = "cp1252", False
                    try:
                        texte = brut.decode("cp1252")
                    except UnicodeDecodeError:
                        texte = None
                else:
                    texte = None
                if texte is None:
                    self.erreurs.append((numero, brut[:60].decode("latin-1")))
                    texte = brut.decode(self.encodage, errors="replace")
            else:
                if self.provisoire and not texte.isascii():
                    self.provisoire = False  # real UTF-8 seen: no switching any more
            yield texte


def _ouvrir_csv(path: Path) -> Tableau:
    with path.open("rb") as fh:
        echantillon = fh.read(SAMPLE_SIZE)
    encodage, provisoire = detecter_encodage(echantillon)
    premiere = echantillon.split(b"\n", 1)[0].decode(encodage, errors="replace").lstrip("\ufeff")
    separateur = max(";,\t|", key=premiere.count)
    if premiere.count(separateur) == 0:
        separateur = ";"
    fh = path.open("rb")
    decodeur = _Decodeur(encodage, provisoire)
    lecteur = csv.reader(decodeur.lignes(fh), delimiter=separateur)
    try:
        entetes = [c.strip() for c in next(lecteur)]
    except StopIteration:
        fh.close()
        raise FichierIllisible("Le fichier est vide.") from None
    except csv.Error as exc:
        fh.close()
        raise FichierIllisible(f"L'en-tête du fichier CSV est illisible ({exc}).") from None

    def lignes() -> Iterator[tuple[int, list[str] | LigneIllisible]]:
        debut = lecteur.line_num + 1
        while True:
            try:
                cellules = next(lecteur)
            except StopIteration:
                return
            except csv.Error as exc:
                yield debut, LigneIllisible("", f"Ligne CSV mal formée ({exc}).")
                debut = lecteur.line_num + 1
                continue
            if decodeur.erreurs:
                for numero, extrait in decodeur.erreurs:
                    yield numero, LigneIllisible(extrait, MESSAGE_ENCODAGE_MELANGE)
                decodeur.erreurs.clear()
            elif any(cellules):
                yield debut, [c.strip() for c in cellules]
            debut = lecteur.line_num + 1

    total = max(0, _compter_lignes(path) - 1)
    return Tableau("csv", encodage, entetes, {}, lignes(), total, separateur, [fh.close])


# --- XLSX --------------------------------------------------------------------------------
def texte_cellule(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "1" if valeur else "2"
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    if isinstance(valeur, datetime):
        return valeur.date().isoformat() if valeur.time() == datetime.min.time() else valeur.isoformat()
    if isinstance(valeur, date):
        return valeur.isoformat()
    return str(valeur).strip()


def _ouvrir_xlsx(path: Path) -> Tableau:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        classeur = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FichierIllisible(f"Fichier XLSX illisible ou endommagé ({exc.__class__.__name__}).") from None
    if not classeur.worksheets:
        classeur.close()
        raise FichierIllisible("Le classeur ne contient aucune feuille.")
    feuille = classeur.worksheets[0]
    rangees = feuille.iter_rows(values_only=True)
    entetes, premiere_ligne = None, 0
    for numero, rangee in enumerate(rangees, start=1):
        if any(v not in (None, "") for v in rangee):
            entetes, premiere_ligne = [texte_cellule(v) for v in rangee], numero
            break
    if entetes is None:
        classeur.close()
        raise FichierIllisible("Le fichier est vide.")

    def lignes() -> Iterator[tuple[int, list[str]]]:
        for n, rangee in enumerate(rangees, start=premiere_ligne + 1):
            cellules = [texte_cellule(v) for v in rangee]
            if any(cellules):
                yield n, cellules

    total = max(0, (feuille.max_row or 0) - premiere_ligne)
    return Tableau("xlsx", None, entetes, {}, lignes(), total, None, [classeur.close])
