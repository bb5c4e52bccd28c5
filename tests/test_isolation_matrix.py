"""Tenant isolation matrix.

Walks EVERY URL pattern of the project (discovered from the URL conf, so a new page or
endpoint is covered without editing this file) and requests it, with the objects of a
victim organisation, as users of every role in foreign organisations (bailleur,
réservataire, fédération) and as an anonymous visitor. They must get 404 (or 403/405 for a
method they may not use), list pages and exports must not show the victim's data, and
nothing in the database may change.
"""

import io
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from tests.isolation.world import MARKER, build_world

pytestmark = pytest.mark.django_db

# Pages anyone may open, signed in or not.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
    "api-token",
    "api-schema",
    "api-docs",
    "verification",
    "api-verification",
}
# Reference data readable by any signed-in user (not tenant data).
PUBLIC_MODELS = {("territoires", m) for m in ("region", "departement", "epci", "commune")}
PROJECT_APPS = ("core", "territoires", "reservataires", "conventions", "flux", "pilotage")
# Sessions and login attempts; and each user's own reminder preference, which any signed-in user may
# write for themselves (the matrix POSTs to every URL, the preferences page included).
IGNORED_TABLES = {
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "sessions.session",
    "pilotage.preferencerappels",
}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns == "admin":
                continue
            yield from _walk(p.url_patterns, prefix + str(p.pattern), f"{ns}" if ns else namespace)
        elif isinstance(p, URLPattern):
            if not p.name:
                continue
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, prefix + str(p.pattern), p


def _kwarg_names(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def _models_of(callback):
    cls = getattr(callback, "cls", None)
    if cls is not None and getattr(cls, "scope_action", "view") == "annuaire":
        return (), "pk", None  # the public directory of organisations: names and territories only
    if cls is not None:
        model = getattr(cls, "scoped_model", None)
        return (model,) if model else (), getattr(cls, "lookup_field", "pk"), getattr(cls, "lookup_url_kwarg", None)
    return getattr(callback, "scoped_models", ()), "pk", None


def _url_cases():
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda c: c[0])


URLS = _url_cases()


def _resolve_kwargs(name, route, callback, world):
    models, lookup_field, lookup_kwarg = _models_of(callback)
    cls = getattr(callback, "cls", None)
    if cls is not None and getattr(cls, "scope_action", "view") == "annuaire":
        return None
    kwargs = {}
    for kw in _kwarg_names(route):
        if kw in ("format",):
            continue
        model = None
        if kw in ("pk", lookup_field, lookup_kwarg) and models:
            model = models[0]
        else:
            wanted = kw.removesuffix("_pk")
            model = next((m for m in models if m._meta.model_name == wanted), None)
            if model is None:
                model = next((m for m in apps.get_models() if m._meta.model_name == wanted), None)
        if model is None:
            pytest.fail(
                f"{name} ({route}) : impossible de savoir quel modèle désigne « {kw} ». "
                "Décorez la vue avec core.scoping.scoped(Modèle) ou déclarez scoped_model sur le viewset."
            )
        if (model._meta.app_label, model._meta.model_name) in PUBLIC_MODELS:
            return None
        obj = world.first(model)
        if obj is None:
            pytest.fail(
                f"Le monde d'isolation n'a aucun objet {model.__name__} : ajoutez-en un dans tests/isolation/world.py"
            )
        attr = lookup_field if kw in (lookup_field, lookup_kwarg) and lookup_field != "pk" else "pk"
        kwargs[kw] = getattr(obj, attr)
    return kwargs


def _snapshot():
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED_TABLES or model._meta.app_label == "authtoken":
            continue
        if model._meta.app_label not in PROJECT_APPS + ("auth", "guardian", "reservataires"):
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
        state[label] = sorted(map(repr, model.objects.order_by().values_list(*fields)))
    return state


def _text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    if "pdf" in content_type:
        return ""
    return body.decode("utf-8", errors="replace")


@pytest.fixture
def world(db):
    return build_world()


def test_the_matrix_knows_every_url(world):
    """Every named URL resolves its kwargs to an object of the world (or is public)."""
    for name, route, pattern in URLS:
        if name not in PUBLIC:
            _resolve_kwargs(name, route, pattern.callback, world)


def test_foreign_users_of_every_role_get_404_and_change_nothing(world, client):
    before = _snapshot()
    tokens = {label: Token.objects.get_or_create(user=user)[0] for label, user in world.outsiders.items()}
    failures = []
    for name, route, pattern in URLS:
        if name in PUBLIC:
            continue
        kwargs = _resolve_kwargs(name, route, pattern.callback, world)
        if kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        is_api = url.startswith("/api/")
        for label, user in world.outsiders.items():
            if is_api:
                headers = {"HTTP_AUTHORIZATION": f"Token {tokens[label].key}"}
                client.logout()
            else:
                headers = {}
                client.force_login(user)
            get = client.get(url, **headers)
            post = client.post(url, {}, **headers)
            if kwargs:
                if get.status_code not in (404, 405):
                    failures.append(f"GET {url} ({name}) en tant que {label} : {get.status_code} au lieu de 404")
                if post.status_code not in (403, 404, 405):
                    failures.append(f"POST {url} ({name}) en tant que {label} : {post.status_code}")
            else:
                if get.status_code >= 500 or post.status_code >= 500:
                    failures.append(f"{url} ({name}) en tant que {label} : erreur serveur")
                if get.status_code == 200 and MARKER in _text_of(get):
                    failures.append(f"GET {url} ({name}) en tant que {label} montre des données de la victime")
    assert failures == []
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_login_or_refused(world, client):
    before = _snapshot()
    failures = []
    for name, route, pattern in URLS:
        if name in PUBLIC:
            continue
        kwargs = _resolve_kwargs(name, route, pattern.callback, world)
        if kwargs is None:
            kwargs = {kw: "x" for kw in _kwarg_names(route)}
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception:  # noqa: BLE001 - a converter refusing "x": skip, covered when signed in
                continue
        else:
            url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            allowed = (401, 403, 404, 405) if url.startswith("/api/") else (302, 403, 404, 405)
            if response.status_code not in allowed:
                failures.append(f"{method.upper()} {url} ({name}) anonyme : {response.status_code}")
            elif response.status_code == 302 and not response["Location"].startswith(reverse("login")):
                failures.append(f"{method.upper()} {url} ({name}) anonyme redirige vers {response['Location']}")
    assert failures == []
    assert _snapshot() == before


def test_the_victims_own_members_do_reach_their_objects(world, client):
    """Guards the matrix itself: the same URLs work for the right people."""
    client.force_login(world.members["bailleur_admin"])
    url = reverse("reservataires:organisation_detail", kwargs={"pk": world.bailleur.pk})
    assert client.get(url).status_code == 200
    job = world.first(apps.get_model("core", "Job"))
    assert client.get(reverse("job_detail", kwargs={"pk": job.pk})).status_code == 200
