from django.core.management.base import BaseCommand

from flux.services.patrimoine import patrimoine_resync_geo


class Command(BaseCommand):
    help = "Recalcule département, EPCI et EPT des logements d'après leur commune (après un nouveau millésime du COG)."

    def handle(self, *args, **options):
        n = patrimoine_resync_geo()
        self.stdout.write(self.style.SUCCESS(f"{n} logement(s) mis à jour."))
