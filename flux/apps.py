from django.apps import AppConfig


class FluxConfig(AppConfig):
    name = "flux"
    verbose_name = "Flux : patrimoine, allocations, orientations, bilans"

    def ready(self):
        from core import nav

        nav.register("Patrimoine", "flux:patrimoine_list", order=30)
        nav.register("État des lieux", "flux:stock_list", order=31)
        nav.register("Synthèse", "flux:synthese", order=32)
        nav.register("Revue des objectifs", "flux:revue_objectifs", order=33)
        nav.register("Flux annuel", "flux:calcul_list", order=33)
        nav.register("Bilans", "flux:bilan_list", order=36)
        nav.register("Indicateurs de mixité", "flux:indicateurs_mixite", order=37)
        nav.register("Orientations", "flux:orientation_list", order=34)
