from django.apps import AppConfig


class ReservatairesConfig(AppConfig):
    name = "reservataires"
    verbose_name = "Organisations et utilisateurs"

    def ready(self):
        from core import nav

        nav.register("Organisations", "reservataires:organisation_list", order=90)
