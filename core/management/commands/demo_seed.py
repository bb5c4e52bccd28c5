from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import seed_all


class Command(BaseCommand):
    help = "Crée (ou complète) les données de démonstration et affiche les comptes de démonstration."

    def handle(self, **options):
        with transaction.atomic():
            ctx = seed_all()
        width = max(len(a.email) for a in ctx.accounts) if ctx.accounts else 20
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {ctx.password})"))
        self.stdout.write("-" * (width + 70))
        for a in ctx.accounts:
            self.stdout.write(f"  {a.email:<{width}}  {a.profil:<28} {a.organisation} ({a.role})")
        self.stdout.write("-" * (width + 70))
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("")
