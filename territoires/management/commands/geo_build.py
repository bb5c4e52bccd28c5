from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territoires import geodata


class Command(BaseCommand):
    help = (
        "Construit territoires/data/decoupage-administratif.json.gz depuis le dossier data/ du paquet npm "
        "@etalab/decoupage-administratif (obtenu par `npm pack @etalab/decoupage-administratif@<version>`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="dossier data/ du paquet décompressé")
        parser.add_argument("--millesime", type=int, required=True)
        parser.add_argument("--package-version", dest="pkg_version", required=True, help="version du paquet npm")

    def handle(self, source, millesime, pkg_version, **options):
        if not (source / "communes.json").exists():
            raise CommandError(f"{source} ne contient pas communes.json.")
        data = geodata.build(source, millesime, pkg_version)
        geodata.write(data)
        self.stdout.write(
            f"{len(data['communes'])} communes, {len(data['epci'])} EPCI/EPT écrits dans {geodata.DATA_FILE}"
        )
