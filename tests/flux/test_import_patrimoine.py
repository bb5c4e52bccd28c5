"""Import of a bailleur's dwellings from an RPLS file: atomic, line-by-line French report, idempotent."""

import codecs
from decimal import Decimal

import pytest

from flux.models import Evenement, Logement
from flux.services import staging
from flux.services.lecture import FichierIllisible
from flux.services.patrimoine import patrimoine_import
from flux.services.rapports import ImportRefuse
from territoires.models import CodeCommuneHistorique
from tests.flux import factories as f

pytestmark = pytest.mark.django_db


INCONNUE = "Commune inconnue du code officiel géographique 2026 (ni commune actuelle, ni ancien code)."


def _importer(bailleur, alice, path, **kw):
    return patrimoine_import(bailleur=bailleur, path=path, by=alice, **kw)


def _erreurs(exc_info):
    return [(e.ligne, e.colonne, e.valeur, e.message) for e in exc_info.value.rapport.tries()]


def test_a_csv_file_creates_every_dwelling_with_its_denormalised_geography(bailleur, alice, tmp_path):
    rows = [
        f.ligne(rpls_id="0000000001", depcom="59512", qpv="1", pieces="3", finan="13", loyer="402,50"),
        f.ligne(rpls_id="0000000002", depcom="59350", qpv="2", pieces="7", finan="PLA-I", surface="81", loyer="9999"),
        f.ligne(rpls_id="0000000003", depcom="93066", qpv="non", pieces="1", finan="52", annee="1965"),
    ]
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "rpls.csv", rows))
    assert (stats["crees"], stats["mis_a_jour"], stats["inchanges"], stats["lignes"]) == (3, 0, 0, 3)
    roubaix = Logement.objects.get(bailleur=bailleur, rpls_id="0000000001")
    assert (roubaix.commune_id, roubaix.departement_id, roubaix.epci_id) == ("59512", "59", "200093201")
    assert roubaix.qpv and roubaix.financement == "PLUS" and roubaix.code_financement == "13"
    assert roubaix.loyer == Decimal("402.50") and roubaix.typologie == 3
    lille = Logement.objects.get(rpls_id="0000000002")
    assert (lille.financement, lille.typologie, lille.nb_pieces, lille.loyer) == ("PLAI", 6, 7, None)
    saint_denis = Logement.objects.get(rpls_id="0000000003")
    assert saint_denis.departement_id == "93" and saint_denis.ept_id is not None
    assert (saint_denis.financement, saint_denis.qpv) == ("ANCIEN", False)
    assert Evenement.objects.filter(bailleur=bailleur, type="patrimoine_import").count() == 1


def test_an_xlsx_file_with_numeric_cells_is_read_like_the_csv(bailleur, alice, tmp_path):
    rows = [
        [1, 59512, 1, 3, 13, 1972, 64.0, 402.5, "Les Tilleuls"],  # Excel dropped the leading zeros of the id
        ["0000000002", 1004, 2, 2, "PLUS", 2010, 47, 330, ""],  # and of the commune code (01004)
    ]
    stats = _importer(bailleur, alice, f.fichier_xlsx(tmp_path / "rpls.xlsx", rows))
    assert stats["crees"] == 2 and stats["format"] == "xlsx"
    assert set(Logement.objects.values_list("rpls_id", "commune_id")) == {
        ("0000000001", "59512"),
        ("0000000002", "01004"),
    }
    assert Logement.objects.get(rpls_id="0000000001").surface == Decimal("64.00")


def test_reimporting_updates_changed_dwellings_and_never_duplicates(bailleur, alice, tmp_path):
    rows = f.lignes(5)
    _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows))
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "b.csv", rows))
    assert (stats["crees"], stats["mis_a_jour"], stats["inchanges"]) == (0, 0, 5)
    rows[2][3] = "5"  # now a T5
    rows.append(f.ligne(rpls_id="0000000099"))
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "c.csv", rows))
    assert (stats["crees"], stats["mis_a_jour"], stats["inchanges"]) == (1, 1, 4)
    assert Logement.objects.filter(bailleur=bailleur).count() == 6
    assert Logement.objects.get(rpls_id="0000000003").nb_pieces == 5


def test_a_full_patrimony_import_removes_the_dwellings_missing_from_the_file(bailleur, alice, tmp_path):
    _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", f.lignes(4)))
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "b.csv", f.lignes(2)), remplacer=True)
    assert stats["supprimes"] == 2
    assert sorted(Logement.objects.values_list("rpls_id", flat=True)) == ["0000000001", "0000000002"]


def test_the_same_identifiers_at_two_bailleurs_stay_two_dwellings(bailleur, autre_bailleur, alice, charlie, tmp_path):
    _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", f.lignes(3)))
    _importer(autre_bailleur, charlie, f.fichier_csv(tmp_path / "b.csv", f.lignes(3)))
    assert Logement.objects.count() == 6


def test_an_old_commune_code_is_mapped_to_todays_commune(bailleur, alice, tmp_path):
    ancien = CodeCommuneHistorique.objects.select_related("commune").order_by("code").first()
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", [f.ligne(depcom=ancien.code)]))
    assert stats["anciens_codes"] == 1
    logement = Logement.objects.get()
    assert logement.commune_id == ancien.commune_id
    assert logement.departement_id == ancien.commune.departement_id


# --- Errors: a French report line by line, and nothing written ------------------------------------------
def test_an_unknown_commune_is_reported_with_its_line_and_nothing_is_written(bailleur, alice, tmp_path):
    rows = [f.ligne(rpls_id="0000000001"), f.ligne(rpls_id="0000000002", depcom="59999")]
    with pytest.raises(ImportRefuse) as exc:
        _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows))
    assert _erreurs(exc) == [(3, "code commune", "59999", INCONNUE)]
    assert not Logement.objects.exists()
    assert not Evenement.objects.exists()


def test_bad_codes_are_reported_cell_by_cell(bailleur, alice, tmp_path):
    rows = [
        f.ligne(rpls_id="0000000001", finan="XYZ"),
        f.ligne(rpls_id="0000000002", qpv="peut-être", pieces="0"),
        f.ligne(rpls_id="0000000003", depcom="5951"),  # four digits: read as 05951, unknown
        f.ligne(rpls_id="0000000004", depcom="ROUBAIX"),
        f.ligne(rpls_id="0000000005", annee="1492", surface="-3", loyer="beaucoup"),
        f.ligne(rpls_id="ID-AVEC-TIRET"),
    ]
    with pytest.raises(ImportRefuse) as exc:
        _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows))
    erreurs = {(ligne, colonne): message for ligne, colonne, _, message in _erreurs(exc)}
    assert erreurs[(2, "financement")].startswith("Code de financement inconnu")
    assert erreurs[(3, "indicateur QPV")].startswith("Indicateur QPV invalide")
    assert erreurs[(3, "nombre de pièces")] == "Nombre de pièces invalide : entier de 1 à 20 attendu."
    assert erreurs[(4, "code commune")].startswith("Commune inconnue")
    assert erreurs[(5, "code commune")].startswith("Code commune mal formé")
    assert erreurs[(6, "année de construction")].startswith("Année de construction invalide")
    assert erreurs[(6, "surface habitable")].startswith("Surface invalide")
    assert erreurs[(6, "loyer principal")].startswith("Loyer invalide")
    assert erreurs[(7, "identifiant RPLS")].startswith("Identifiant RPLS invalide")
    assert exc.value.rapport.total == 9
    assert not Logement.objects.exists()


def test_a_duplicate_identifier_reports_both_lines(bailleur, alice, tmp_path):
    rows = [f.ligne(rpls_id="0000000007"), f.ligne(rpls_id="0000000008"), f.ligne(rpls_id="0000000007", finan="XYZ")]
    with pytest.raises(ImportRefuse) as exc:
        _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows))
    doublons = [(ligne, message) for ligne, colonne, _, message in _erreurs(exc) if colonne == "identifiant RPLS"]
    assert doublons == [
        (2, "Identifiant RPLS en double dans le fichier : aussi ligne 4."),
        (4, "Identifiant RPLS en double dans le fichier : aussi ligne 2."),
    ]
    assert not Logement.objects.exists()


def test_a_missing_column_is_named_in_french(bailleur, alice, tmp_path):
    entetes = [e for e in f.ENTETES if e != "DEPCOM"]
    rows = [[c for i, c in enumerate(f.ligne()) if f.ENTETES[i] != "DEPCOM"]]
    with pytest.raises(FichierIllisible) as exc:
        _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows, entetes=entetes))
    assert "Colonne obligatoire absente : « code commune »" in exc.value.message
    assert "DEPCOM" in exc.value.message
    assert not Logement.objects.exists()


def test_a_utf16_file_is_refused_with_a_clear_message(bailleur, alice, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(f.texte_csv([f.ligne()]).encode("utf-16"))
    with pytest.raises(FichierIllisible) as exc:
        _importer(bailleur, alice, path)
    assert "Encodage non pris en charge" in exc.value.message
    assert not Logement.objects.exists()


def test_an_undecodable_file_is_refused(bailleur, alice, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(f.texte_csv([f.ligne()]).encode() + b"\x81\x8d\x8f\x90\x9d" * 20 + b"\x01\x02\n")
    with pytest.raises(FichierIllisible) as exc:
        _importer(bailleur, alice, path)
    assert exc.value.message.startswith("Encodage du fichier non reconnu")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_utf8_with_or_without_bom_and_windows_1252_files_are_accepted(bailleur, alice, tmp_path, encoding):
    nom = "Résidence Les Érables – tour « B »" if encoding != "latin-1" else "Résidence Les Érables"
    rows = [f.ligne(programme=nom)]
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows, encoding=encoding))
    assert stats["crees"] == 1
    assert Logement.objects.get().programme.startswith("Résidence Les Érables")


def test_an_ascii_start_followed_by_windows_1252_lines_is_read_as_windows_1252(bailleur, alice, tmp_path):
    rows = f.lignes(20_000, programme="Tilleuls") + [f.ligne(rpls_id="0000099999", programme="Cité Pasteur")]
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", rows, encoding="cp1252"))
    assert stats["crees"] == 20_001
    assert Logement.objects.get(rpls_id="0000099999").programme == "Cité Pasteur"


def test_a_utf8_file_with_one_windows_1252_line_reports_that_line(bailleur, alice, tmp_path):
    path = tmp_path / "a.csv"
    debut = f.texte_csv([f.ligne(rpls_id="0000000001", programme="Cité Pasteur")]).encode("utf-8")
    path.write_bytes(debut + ";".join(f.ligne(rpls_id="0000000002", programme="Cité Bleue")).encode("cp1252") + b"\r\n")
    with pytest.raises(ImportRefuse) as exc:
        _importer(bailleur, alice, path)
    [(ligne, _, _, message)] = _erreurs(exc)
    assert ligne == 3 and message.startswith("Caractères illisibles")


def test_semicolon_comma_and_tab_separators_are_recognised(bailleur, alice, tmp_path):
    for i, separateur in enumerate([",", "\t"]):
        rows = [f.ligne(rpls_id=f"000000010{i}", loyer="402.5")]
        path = f.fichier_csv(tmp_path / f"{i}.csv", rows, delimiter=separateur)
        assert _importer(bailleur, alice, path)["crees"] == 1


def test_headers_are_matched_whatever_their_case_accents_and_variant(bailleur, alice, tmp_path):
    entetes = ["Identifiant RPLS", "Code commune", "qpv", "nb_pieces", "Financement", "Année construction", "Surface",
               "Loyer", "Nom programme"]  # fmt: skip
    stats = _importer(bailleur, alice, f.fichier_csv(tmp_path / "a.csv", [f.ligne()], entetes=entetes))
    assert stats["crees"] == 1


def test_an_empty_file_and_a_header_only_file_are_refused(bailleur, alice, tmp_path):
    vide = tmp_path / "vide.csv"
    vide.write_bytes(b"")
    with pytest.raises(FichierIllisible, match="vide"):
        _importer(bailleur, alice, vide)
    entete = f.fichier_csv(tmp_path / "entete.csv", [])
    with pytest.raises(FichierIllisible, match="aucune ligne"):
        _importer(bailleur, alice, entete)


def test_a_reader_or_a_federation_member_cannot_import(bailleur, fede, tmp_path):
    from django.core.exceptions import PermissionDenied

    from reservataires.models import Role
    from tests import factories

    lecteur = factories.member(bailleur, Role.LECTEUR)
    for user in (lecteur, fede):
        with pytest.raises(PermissionDenied):
            _importer(bailleur, user, f.fichier_csv(tmp_path / "a.csv", [f.ligne()]))


# --- Streaming ---------------------------------------------------------------------------------------------
def test_a_large_file_is_read_lazily_and_written_in_chunks(bailleur, alice, tmp_path, monkeypatch):
    """The reader yields lines one by one; the staging table receives lots of TAILLE_LOT rows."""
    from flux.services import patrimoine as service

    monkeypatch.setattr(service, "TAILLE_LOT", 1000)
    tailles = []
    ecrire = staging.StagingLogements.write

    def espion(self, rows):
        rows = list(rows)
        tailles.append(len(rows))
        return ecrire(self, rows)

    monkeypatch.setattr(staging.StagingLogements, "write", espion)
    progression = []

    class Job:
        def report_progress(self, done, total=None, message=None):
            progression.append((done, total))

    path = f.fichier_csv(tmp_path / "grand.csv", f.lignes(10_500))
    stats = patrimoine_import(bailleur=bailleur, path=path, by=alice, job=Job())
    assert stats["crees"] == 10_500
    assert tailles == [1000] * 10 + [500]
    assert len(progression) >= 10 and progression[-1] == (10_500, 10_500)


def test_the_csv_reader_is_an_iterator_over_the_file(tmp_path):
    from flux.services.lecture import ouvrir_tableau
    from flux.services.rpls import COLONNES

    path = f.fichier_csv(tmp_path / "a.csv", f.lignes(3))
    tableau = ouvrir_tableau(path, COLONNES)
    assert iter(tableau.lignes) is tableau.lignes  # a generator, not a list
    assert next(tableau.lignes)[0] == 2
    assert tableau.total_estime == 3
    tableau.fermer()


def test_the_bom_is_not_part_of_the_first_header(tmp_path):
    from flux.services.lecture import ouvrir_tableau
    from flux.services.rpls import COLONNES

    path = tmp_path / "a.csv"
    path.write_bytes(codecs.BOM_UTF8 + f.texte_csv([f.ligne()]).encode())
    tableau = ouvrir_tableau(path, COLONNES)
    assert tableau.entetes[0] == "RPLS_ID" and tableau.index["rpls_id"] == 0
    tableau.fermer()
