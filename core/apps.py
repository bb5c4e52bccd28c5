from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle (tâches de fond, navigation)"

    def ready(self):
        from core import schema  # noqa: F401 - registers the drf-spectacular extensions
