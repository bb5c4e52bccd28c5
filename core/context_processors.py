from django.conf import settings
from django.urls import NoReverseMatch, reverse

from core import nav


def _nav_entries(path: str) -> list[dict]:
    """Plain links and dropdown groups, in order; a group sits where its first item would."""
    entries = []
    groups = {}
    for item in nav.items():
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        link = {"label": item.label, "url": url, "active": path.startswith(url)}
        if not item.group:
            entries.append(link)
        elif item.group in groups:
            groups[item.group]["children"].append(link)
            groups[item.group]["active"] |= link["active"]
        else:
            groups[item.group] = {"label": item.group, "children": [link], "active": link["active"]}
            entries.append(groups[item.group])
    return entries


def platform(request):
    entries = _nav_entries(request.path) if request.user.is_authenticated else []
    return {"nav_items": entries, "platform_name": "Flux réservations", "DEBUG": settings.DEBUG}
