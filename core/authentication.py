"""API authentication classes (kept apart from core.api: DRF imports them while loading its views)."""

from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, with its CSRF refusal in French."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(
                "Jeton CSRF absent ou invalide : avec une session de navigateur, envoyez l'en-tête X-CSRFToken "
                "(les clients machine utilisent l'en-tête Authorization: Token <jeton>)."
            ) from exc
