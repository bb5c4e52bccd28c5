from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions de réservation"

    def ready(self):
        from core import nav

        nav.register("Conventions", "conventions:convention_list", order=20)
