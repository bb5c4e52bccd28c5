"""Read-mostly admin: conventions change only through the services (journal, rules, workflow)."""

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from conventions.models import Convention, ConventionVersion, Evenement


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = ConventionVersion
    fields = ("numero", "avenant_numero", "etat", "organisation", "proposee_le", "part_flux_pct", "nombre_annuel")


class EvenementInline(ReadOnlyInline):
    model = Evenement
    fields = ("le", "type", "par", "organisation", "message")


@admin.register(Convention)
class ConventionAdmin(GuardedModelAdmin):
    """Object permissions (guardian) can grant a reader outside the parties, e.g. an auditor."""

    list_display = ("numero", "bailleur", "reservataire", "perimetre_code", "statut", "modifie_le")
    list_filter = ("statut", "departement__region", "reservataire__type")
    search_fields = ("numero", "bailleur__nom", "reservataire__nom")
    readonly_fields = [f.name for f in Convention._meta.fields]
    inlines = [VersionInline, EvenementInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
