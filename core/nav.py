"""Main navigation, filled by each app's AppConfig.ready() so apps never edit a shared template."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    # Items sharing a group become one dropdown menu, placed where its first (lowest order) item sits.
    group: str = ""


_items: dict[str, NavItem] = {}


def register(label: str, url_name: str, order: int = 50, group: str = "") -> None:
    _items[url_name] = NavItem(label, url_name, order, group)


def items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda item: (item.order, item.label))
