"""Write docs/statuts-conventions.md from the transition table of conventions.workflow."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from conventions import workflow
from conventions.models import Statut

INTRO = """# Statuts et transitions des conventions de réservation

Ce fichier est produit par `manage.py statuts_doc` à partir de la table unique des transitions
(`conventions/workflow.py`) ; un test vérifie qu'il est à jour. Le statut d'une convention n'est
modifié qu'à un seul endroit : `conventions.workflow.perform`, appelé par les services, dans la même
transaction que l'écriture au journal.

## Statuts

{statuts}

Une seule convention **vivante** (tout statut sauf résiliée, expirée, abandonnée) par bailleur,
réservataire et périmètre (CCH R.441-5) : la base de données l'impose (contrainte d'unicité partielle
`convention_unique_vivante_par_perimetre`). Le périmètre est le département, ou le territoire de la
commune ou de l'EPCI réservataire (R.441-5-3).

## Versions

- Chaque version porte l'ensemble des conditions (période, part du flux, objectifs par EPCI, QPV,
  typologie, financement, mode de gestion, délais, règle d'absence de candidat, bilans, clauses,
  annexes). Un **projet de version** (brouillon) n'est visible et modifiable que par la partie qui le
  rédige ; dès qu'il est **transmis**, il est figé (le modèle refuse toute modification).
- La négociation se fait à tour de rôle : un seul projet de version à la fois par convention.
- Un **avenant** est une version ultérieure de la même convention (`avenant_numero` ≥ 1) ; pendant sa
  négociation, la dernière version signée reste en vigueur.
- Tant qu'un projet n'est pas transmis, l'autre partie et la fédération n'en voient ni le contenu, ni les
  commentaires qui le visent, ni les entrées du journal qui détaillent sa rédaction ; elles savent
  seulement qu'une nouvelle version est en préparation.
- La **redline** compare une version à la dernière version transmise que la partie du lecteur a ouverte
  (à défaut, à la version dont elle est issue) : conditions avant / après, clauses mot à mot.
- Deux personnes qui modifient le même projet ne s'écrasent jamais : chaque enregistrement porte le
  numéro de verrou chargé, un numéro périmé est refusé avec un message de conflit (rien n'est perdu :
  la page conserve la saisie).

## Approbations et règles

Les deux parties approuvent **la même version** (la dernière transmise) pour qu'elle devienne
« validée ». Une nouvelle version transmise rend caduques les approbations de la précédente ; la
réouverture d'une convention validée retire les approbations. Une règle bloquante non respectée
empêche l'approbation (jamais la rédaction) :

- part du préfet ≤ 30 % du flux annuel, dont ≤ 5 % pour les agents de l'État (CCH R.441-5-2 I) ;
- au moins 30 % du flux du préfet hors QPV, sauf stipulation contraire (R.441-5-2 II) : simple
  avertissement, puisque la convention peut en disposer autrement ;
- part issue de garanties d'emprunt des collectivités ≤ 20 % (appliquée à la part de flux de la
  convention ; l'assiette exacte depuis 2020 reste à confirmer, voir DOMAIN.md §10) ;
- total des parts de tous les réservataires ≤ 100 % du flux, commune par commune (les parts
  départementales s'appliquent uniformément ; une convention d'EPCI ou de commune s'y ajoute sur son
  territoire) ;
- somme des objectifs par EPCI égale au nombre annuel de la convention, objectifs communaux inclus
  dans celui de leur EPCI, EPCI dans le périmètre ;
- conditions complètes : volume (part et/ou nombre), date d'effet, délais de signalement et de
  proposition.

## Transitions

{table}

Qui : « rédiger » = rôles administrateur et rédacteur ; « signer » = rôle signataire ; « gérer
l'organisation » = administrateur. La fédération du bailleur (URH, AORIF) lit la convention et son
journal, sans aucune action. Toute autre organisation reçoit une 404.
"""


def render() -> str:
    statuts = "\n".join(f"- **{s.label}** (`{s.value}`)" for s in Statut)
    return INTRO.format(statuts=statuts, table=workflow.as_markdown_table())


class Command(BaseCommand):
    help = "Écrit docs/statuts-conventions.md à partir de la table des transitions."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "docs" / "statuts-conventions.md"
        path.write_text(render(), encoding="utf-8")
        self.stdout.write(f"{path} écrit.")
