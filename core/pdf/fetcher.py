"""The only way WeasyPrint may read a resource while rendering a platform PDF.

Documents are rendered from templates that may contain user-supplied text (organisation names,
comments, annexes). A default WeasyPrint fetcher would follow any URL found there: network
requests from the workers (SSRF) or local files (``file:///etc/passwd`` as an image). This
fetcher serves files from the project's ``static/`` directory (and its collectstatic copy,
whose file names carry a hash in production) and ``data:`` URLs, and refuses everything else,
loudly: a refused resource stops the rendering instead of silently producing a degraded PDF.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedResource(PermissionError):
    """A template asked for a resource outside static/ (or over the network)."""


def static_roots() -> list[Path]:
    """Directories a PDF may read from: the project's static/ and, if built, STATIC_ROOT."""
    roots = [Path(settings.BASE_DIR) / "static"]
    static_root = Path(settings.STATIC_ROOT)
    if static_root.is_dir():
        roots.insert(0, static_root)
    return [root.resolve() for root in roots]


def base_url() -> str:
    """Base URL of rendered templates: ``{% static %}`` paths like /static/x resolve to file:///static/x."""
    return "file:///"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def resolve_static(url: str) -> Path:
    """Map a URL produced by ``{% static %}`` (or a file URL inside static/) to a file, or refuse."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedResource(f"Ressource refusée dans un PDF (seuls les fichiers statiques sont permis) : {url}")
    raw = Path(unquote(parts.path))
    roots = static_roots()
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    candidates: list[Path] = []
    if str(raw).startswith(static_prefix):
        name = str(raw)[len(static_prefix) :]
        candidates = [root / name for root in roots]
    else:
        candidates = [raw]
    for candidate in candidates:
        resolved = candidate.resolve()
        if any(_inside(resolved, root) for root in roots) and resolved.is_file():
            return resolved
    raise RefusedResource(f"Ressource refusée dans un PDF (hors du dossier static/ ou introuvable) : {url}")


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> bytes:
    """Static files are immutable between deployments: keep them in memory (fonts, CSS)."""
    return path.read_bytes()


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint URL fetcher restricted to static files and data: URLs; errors are fatal."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True, allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = resolve_static(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        return URLFetcherResponse(
            url, body=_read(path, path.stat().st_mtime_ns), headers={"Content-Type": content_type}
        )
