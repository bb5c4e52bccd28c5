from django.apps import AppConfig


def _conventions_changed(sender, **kwargs):
    from core.cache import bump_on_commit

    bump_on_commit("conventions")


class PilotageConfig(AppConfig):
    name = "pilotage"
    verbose_name = "Pilotage régional et tableaux de bord"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from conventions.models import Convention, Evenement
        from core import nav

        nav.register("Tableau de bord", "pilotage:tableau_de_bord", order=10)
        # Every service journals its writes (Evenement): the dashboards' cache follows them.
        post_save.connect(_conventions_changed, sender=Evenement, dispatch_uid="pilotage-evenement")
        post_save.connect(_conventions_changed, sender=Convention, dispatch_uid="pilotage-convention")
        post_delete.connect(_conventions_changed, sender=Convention, dispatch_uid="pilotage-convention-del")
