from django.contrib import admin

from flux.models import Conversion, ConversionLigne, Evenement, Exclusion, Logement, ReservationStock


@admin.register(Logement)
class LogementAdmin(admin.ModelAdmin):
    list_display = ("rpls_id", "bailleur", "commune", "departement", "qpv", "typologie", "financement")
    list_filter = ("financement", "qpv", "typologie")
    search_fields = ("rpls_id", "programme")
    raw_id_fields = ("bailleur", "commune", "departement", "epci", "ept")
    show_full_result_count = False


@admin.register(ReservationStock)
class ReservationStockAdmin(admin.ModelAdmin):
    list_display = ("bailleur", "reservataire", "departement", "fondement", "nb_logements", "date_fin", "source")
    list_filter = ("fondement", "source", "droit_de_suite")
    search_fields = ("reference", "bailleur__nom", "reservataire__nom")
    raw_id_fields = ("bailleur", "reservataire", "commune", "cree_par")
    filter_horizontal = ()
    exclude = ("logements",)


@admin.register(Exclusion)
class ExclusionAdmin(admin.ModelAdmin):
    list_display = ("bailleur", "departement", "annee", "categorie", "nb_logements")
    list_filter = ("annee", "categorie")


class ConversionLigneInline(admin.TabularInline):
    model = ConversionLigne
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in ConversionLigne._meta.fields]


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = ("pk", "bailleur", "annee", "perimetre_code", "methode", "part_bailleur_pct", "est_courante")
    list_filter = ("annee", "methode", "est_courante")
    readonly_fields = [f.name for f in Conversion._meta.fields]
    inlines = [ConversionLigneInline]


@admin.register(Evenement)
class EvenementAdmin(admin.ModelAdmin):
    list_display = ("le", "bailleur", "type", "message", "par")
    list_filter = ("type",)
    readonly_fields = [f.name for f in Evenement._meta.fields]
