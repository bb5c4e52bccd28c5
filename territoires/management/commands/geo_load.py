from django.core.management.base import BaseCommand

from territoires import geodata


class Command(BaseCommand):
    help = "Charge (ou met à jour) le référentiel géographique depuis le fichier livré dans le dépôt."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="ne rien faire si déjà chargé")

    def handle(self, if_empty, **options):
        if if_empty and geodata.is_loaded():
            self.stdout.write("Référentiel géographique déjà chargé.")
            return
        counts = geodata.load()
        self.stdout.write("Référentiel géographique chargé : " + ", ".join(f"{v} {k}" for k, v in counts.items()))
