from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from conventions import views as conventions_views
from reservataires.auth import LoginView

admin.site.site_header = "Flux réservations – administration"
admin.site.site_title = "Flux réservations"
admin.site.index_title = "Administration de la plateforme"

account_patterns = [
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("mot-de-passe-oublie/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reinitialisation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reinitialisation/terminee/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

api_patterns = [
    path("", include("reservataires.api_urls")),
    path("", include("territoires.api_urls")),
    path("", include("conventions.api_urls")),
    path("", include("flux.api_urls")),
    path("", include("pilotage.api_urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("comptes/", include(account_patterns)),
    path("organisations/", include("reservataires.urls")),
    path("conventions/", include("conventions.urls")),
    path("flux/", include("flux.urls")),
    path("pilotage/", include("pilotage.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/v1/jeton/", include("reservataires.api_token_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("verification/", conventions_views.verification, name="verification"),
    path("admin/", admin.site.urls),
]

handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
# Uploaded and generated files (signed PDFs, imports) are never served from MEDIA_URL:
# each download goes through a view scoped to the user's organisations.
