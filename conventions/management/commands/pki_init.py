"""``manage.py pki_init [--force]``: create the platform CA (idempotent) and show its state."""

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.management.base import BaseCommand, CommandError

from conventions import pki


def _describe(label: str, cert: x509.Certificate) -> str:
    fingerprint = cert.fingerprint(hashes.SHA256()).hex(":").upper()
    return (
        f"  {label} : {cert.subject.rfc4514_string()}\n"
        f"    valable du {cert.not_valid_before_utc:%d/%m/%Y} au {cert.not_valid_after_utc:%d/%m/%Y}\n"
        f"    empreinte SHA-256 {fingerprint}"
    )


class Command(BaseCommand):
    help = (
        "Crée l'autorité de certification de la plateforme (AC racine et AC de signature) dans PKI_DIR, "
        "si elle n'existe pas ; renouvelle l'AC de signature un an avant son expiration. Sans effet sinon."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Retire les AC existantes (leur certificat racine reste reconnu pour les documents déjà signés) "
            "et en crée de nouvelles.",
        )

    def handle(self, *args, force: bool = False, **options):
        try:
            status = pki.ensure_ca(force=force)
        except pki.PkiError as exc:
            raise CommandError(str(exc)) from exc
        if status.created:
            self.stdout.write(self.style.SUCCESS(" ; ".join(status.created) + f" dans {pki.pki_dir()}."))
        else:
            self.stdout.write(f"L'autorité de certification existe déjà dans {pki.pki_dir()} : rien à faire.")
        self.stdout.write(_describe("AC racine", status.root))
        self.stdout.write(_describe("AC de signature", status.issuing))
        self.stdout.write(f"  Phrase secrète ({pki.PASSPHRASE_ENV}) : {'oui' if pki.passphrase_set() else 'non'}")
        if status.root_key_present:
            self.stdout.write(
                "  La clé de l'AC racine est présente : sauvegardez-la hors ligne puis retirez-la du serveur "
                "(voir docs/signature.md)."
            )
