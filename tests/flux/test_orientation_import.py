"""Import of declarations (CSV, XLSX): all or nothing, line-by-line French report, proposals in file order."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.jobs import job_create, run_job
from core.models import JobStatus
from flux.models import Orientation, SourceDeclaration
from flux.services.orientation.import_tableur import (
    KIND_IMPORT_ORIENTATIONS,
    orientations_import,
    orientations_import_job,
)
from flux.services.rapports import ImportRefuse
from tests.flux.factories import fichier_csv, fichier_xlsx
from tests.flux.world_orientation import allocations, logement

ENTETES = ["rpls_id", "nature", "date_disponibilite", "reservataire", "motif"]


@pytest.mark.django_db
def test_import_xlsx_declare_dans_l_ordre_du_fichier(tmp_path, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3, None: 1})
    lgts = [logement(bailleur) for _ in range(4)]
    rows = [[lg.rpls_id, "relocation", "02/03/2026", "", ""] for lg in lgts[:3]]
    rows.append([lgts[3].rpls_id, "première mise en location", "2026-03-05", "bailleur", "Mutation interne"])
    stats = orientations_import(
        bailleur=bailleur, path=fichier_xlsx(tmp_path / "d.xlsx", rows, entetes=ENTETES), by=alice
    )
    assert stats == {"lignes": 4, "orientees": 4, "derogations": 1}
    orientations = {o.logement_id: o for o in Orientation.objects.all()}
    # Same sequence as the hand-computed one: ALS, préfet, ALS; then the own share, motivated.
    assert [orientations[lg.pk].reservataire_id for lg in lgts[:3]] == [als.pk, prefet.pk, als.pk]
    dernier = orientations[lgts[3].pk]
    # D = 3: ALS 6×4/10 − 2 = 0,4 ; préfet 3×4/10 − 1 = 0,2 ; bailleur 0,4 → ALS (larger allocation).
    assert (dernier.reservataire_id, dernier.reservataire_propose_id) == (None, als.pk)
    assert dernier.nature == "premiere" and dernier.source == SourceDeclaration.IMPORT


@pytest.mark.django_db
def test_une_ligne_fausse_et_rien_n_est_declare_avec_le_rapport(tmp_path, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3})
    bon, deroge = logement(bailleur), logement(bailleur)
    rows = [
        [bon.rpls_id, "relocation", "02/03/2026", "", ""],
        ["0599999999", "relocation", "02/03/2026", "", ""],
        [bon.rpls_id, "relocation", "03/03/2026", "", ""],
        [deroge.rpls_id, "vendu", "31/02/2026", prefet.nom, ""],
    ]
    chemin = fichier_csv(tmp_path / "d.csv", rows, entetes=ENTETES)
    with pytest.raises(ImportRefuse) as exc:
        orientations_import(bailleur=bailleur, path=chemin, by=alice)
    erreurs = [(e.ligne, e.colonne, e.message) for e in exc.value.rapport.tries()]
    assert (3, "identifiant RPLS", "Logement inconnu du patrimoine de Habitat Alice.") in erreurs
    assert (4, "identifiant RPLS", "Logement en double dans le fichier : déjà ligne 2.") in erreurs
    assert {(ligne, col) for ligne, col, _ in erreurs if ligne == 5} == {(5, "nature"), (5, "date de disponibilité")}
    assert not Orientation.objects.exists()
    # Through the job: failed, French message, downloadable report.
    job = job_create(
        kind=KIND_IMPORT_ORIENTATIONS,
        label="essai",
        by=alice,
        organisation=bailleur,
        params={"bailleur_id": bailleur.pk, "fichier": _stocker(chemin)},
    )
    job = run_job(str(job.pk), orientations_import_job)
    assert job.status == JobStatus.ECHOUEE and "Aucun logement n'a été déclaré" in job.error
    assert job.result["nb_erreurs"] == 4 and not Orientation.objects.exists()


@pytest.mark.django_db
def test_derogation_sans_motif_refusee_par_l_import(tmp_path, alice, bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 6, prefet: 3})
    lg = logement(bailleur)
    rows = [[lg.rpls_id, "relocation", "02/03/2026", prefet.nom, ""]]
    with pytest.raises(ImportRefuse) as exc:
        orientations_import(bailleur=bailleur, path=fichier_csv(tmp_path / "d.csv", rows, entetes=ENTETES), by=alice)
    (erreur,) = exc.value.rapport.tries()
    assert erreur.colonne == "motif de la dérogation" and "doit être motivé" in erreur.message


@pytest.mark.django_db
def test_page_d_import_lance_une_tache_et_modele_telechargeable(client_for, alice, bob, bailleur, tmp_path):
    client = client_for(alice)
    modele = client.get(reverse("flux:modele_orientations_csv"))
    entetes = next(csv.reader(io.StringIO(modele.content.decode("utf-8-sig")), delimiter=";"))
    assert entetes == ENTETES
    assert client.get(reverse("flux:modele_orientations_xlsx")).status_code == 200
    fichier = SimpleUploadedFile("d.csv", b"rpls_id;nature;date_disponibilite\n0590000001;relocation;02/03/2026\n")
    r = client.post(reverse("flux:orientation_import"), {"bailleur": bailleur.pk, "fichier": fichier})
    assert r.status_code == 302 and "/taches/" in r["Location"]
    assert client_for(bob).get(reverse("flux:orientation_import")).status_code == 403


def _stocker(chemin) -> str:
    from django.core.files.storage import default_storage

    with open(chemin, "rb") as fh:
        return default_storage.save("flux/orientations/essai.csv", fh)
