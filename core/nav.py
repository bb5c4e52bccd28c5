"""Main navigation, filled by each app's AppConfig.ready() so apps never edit a shared template."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int


_items: dict[str, NavItem] = {}


def register(label: str, url_name: str, order: int = 50) -> None:
    _items[url_name] = NavItem(label, url_name, order)


def items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda item: (item.order, item.label))
