from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from guardian.admin import GuardedModelAdmin

from reservataires.models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(GuardedModelAdmin):
    list_display = ("nom", "type", "departement", "federation", "actif")
    list_filter = ("type", "actif", "region")
    search_fields = ("nom", "siren")
    autocomplete_fields = ("federation",)
    raw_id_fields = ("region", "departement", "epci", "commune")
    inlines = [MembershipInline]
