from django.apps import AppConfig


class FluxConfig(AppConfig):
    name = "flux"
    verbose_name = "Flux : patrimoine, allocations, orientations, bilans"

    def ready(self):
        from core import nav

        nav.register("Patrimoine", "flux:patrimoine_list", order=30, group="Patrimoine")
        nav.register("État des lieux", "flux:stock_list", order=31, group="Patrimoine")
        nav.register("Synthèse", "flux:synthese", order=32, group="Patrimoine")
        nav.register("Revue des objectifs", "flux:revue_objectifs", order=33, group="Flux")
        nav.register("Flux annuel", "flux:calcul_list", order=33, group="Flux")
        nav.register("Bilans", "flux:bilan_list", order=36, group="Bilans")
        nav.register("Indicateurs de mixité", "flux:indicateurs_mixite", order=37, group="Bilans")
        nav.register("Orientations", "flux:orientation_list", order=34, group="Flux")
