"""``manage.py pdf_exemple sortie.pdf [--signer] [--html]``: the sample convention, to look at the layout."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conventions import pki
from conventions.pdfsign import SignatureRefused, sign_pdf, verify_pdf
from core.pdf import render_html, render_pdf
from core.pdf.exemple import TEMPLATE, exemple_convention_context

# Fictitious organisation ids of the sample: far from real ones, so their certificates never mix.
EXEMPLE_BAILLEUR_ID = 900001
EXEMPLE_RESERVATAIRE_ID = 900002


class Command(BaseCommand):
    help = "Produit la convention d'exemple (PDF ou HTML), éventuellement signée par ses deux parties."

    def add_arguments(self, parser):
        parser.add_argument("sortie", help="fichier à écrire (.pdf, ou .html avec --html)")
        parser.add_argument("--signer", action="store_true", help="signe pour le bailleur puis le réservataire")
        parser.add_argument("--html", action="store_true", help="écrit l'aperçu HTML au lieu du PDF")

    def handle(self, *args, sortie: str, signer: bool = False, html: bool = False, **options):
        context = exemple_convention_context()
        target = Path(sortie)
        if html:
            target.write_text(render_html(TEMPLATE, context), encoding="utf-8")
            self.stdout.write(f"Aperçu HTML écrit dans {target} (les feuilles de style sont servies sous /static/).")
            return
        pdf = render_pdf(TEMPLATE, context)
        if signer:
            try:
                for slot, organisation_id, partie in (
                    ("bailleur", EXEMPLE_BAILLEUR_ID, context["bailleur"]),
                    ("reservataire", EXEMPLE_RESERVATAIRE_ID, context["reservataire"]),
                ):
                    pdf = sign_pdf(
                        pdf,
                        slot=slot,
                        organisation_id=organisation_id,
                        organisation_name=partie["nom"],
                        siren=partie["siren"],
                        signer_name=partie["representant"],
                        signer_function=partie["fonction"][:1].upper() + partie["fonction"][1:],
                        reason=f"Signature de la convention {context['document'].reference}",
                        location="Lille",
                    )
            except (pki.PkiError, SignatureRefused) as exc:
                raise CommandError(str(exc)) from exc
        target.write_bytes(pdf)
        self.stdout.write(f"{target} : {len(pdf)} octets.")
        if signer:
            self.stdout.write(verify_pdf(pdf).message)
