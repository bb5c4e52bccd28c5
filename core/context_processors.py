from django.conf import settings
from django.urls import NoReverseMatch, reverse

from core import nav


def platform(request):
    entries = []
    if request.user.is_authenticated:
        for item in nav.items():
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entries.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": entries, "platform_name": "Flux réservations", "DEBUG": settings.DEBUG}
