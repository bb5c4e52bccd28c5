from django.contrib import admin

from territoires.models import EPCI, Commune, Departement, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "nom")
    search_fields = ("nom", "code")


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "region")
    search_fields = ("nom", "code")


@admin.register(EPCI)
class EPCIAdmin(admin.ModelAdmin):
    list_display = ("siren", "nom", "type", "lec", "population")
    list_filter = ("type", "lec")
    list_editable = ("lec",)
    search_fields = ("nom", "siren")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "departement", "epci")
    list_filter = ("departement__region",)
    search_fields = ("nom", "code")
    raw_id_fields = ("epci", "ept", "parent")
