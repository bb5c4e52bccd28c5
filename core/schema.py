"""drf-spectacular extensions for the project's own API classes.

Imported from CoreConfig.ready() so the schema generator knows them before it runs.
"""

from drf_spectacular.authentication import SessionScheme


class FrenchSessionScheme(SessionScheme):
    """Our SessionAuthentication only translates the CSRF refusal: same OpenAPI scheme as DRF's."""

    target_class = "core.authentication.SessionAuthentication"
    priority = 1
