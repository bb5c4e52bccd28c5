import time

from django.core.management.base import BaseCommand, CommandError

from flux import generateur


class Command(BaseCommand):
    help = (
        "Génère des bailleurs synthétiques, leurs logements (répartis comme le parc réel) et leurs états des lieux ; "
        "ou, avec --csv, écrit le fichier RPLS d'un bailleur unique (banc d'import)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", default="hdf", help="national (≈ 5,3 M), idf (≈ 1,39 M), hdf (≈ 0,59 M) ou un nombre"
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--annee", type=int, default=None, help="année des états des lieux et exclusions")
        parser.add_argument("--departements", default="", help="limiter à ces départements (ex. 59,62)")
        parser.add_argument("--csv", default="", help="écrire un fichier RPLS au lieu de remplir la base")
        parser.add_argument("--encodage", default="utf-8", choices=["utf-8", "utf-8-sig", "cp1252"])
        parser.add_argument("--sans-inventaire", action="store_true", help="logements seulement")

    def handle(self, *args, **options):
        try:
            echelle = generateur.lire_echelle(options["scale"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        departements = [d.strip() for d in options["departements"].split(",") if d.strip()] or None
        debut = time.perf_counter()
        if options["csv"]:
            n = generateur.ecrire_fichier_rpls(
                options["csv"], echelle, seed=options["seed"], encodage=options["encodage"], departements=departements
            )
            self.stdout.write(
                self.style.SUCCESS(f"{n} logements écrits dans {options['csv']} ({time.perf_counter() - debut:.1f} s).")
            )
            return
        stats = generateur.generer(
            echelle,
            seed=options["seed"],
            annee=options["annee"],
            departements=departements,
            inventaire=not options["sans_inventaire"],
        )
        self.stdout.write(self.style.SUCCESS(f"Génération terminée en {time.perf_counter() - debut:.1f} s."))
        for cle, valeur in stats.items():
            self.stdout.write(f"  {cle} : {valeur}")
