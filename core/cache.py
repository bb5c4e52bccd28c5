"""Generation counters for cache invalidation.

A cached computation puts ``generation(name)`` in its key; any write that changes its inputs calls
``bump_on_commit(name)``. The bump happens after the transaction commits, so a reader never caches
pre-commit data under the new generation. Old keys are simply never read again (they expire).
"""

from django.core.cache import cache
from django.db import transaction


def _key(name: str) -> str:
    return f"generation:{name}"


def generation(name: str) -> int:
    value = cache.get(_key(name))
    if value is None:
        cache.add(_key(name), 1, timeout=None)
        value = cache.get(_key(name)) or 1
    return int(value)


def bump(name: str) -> None:
    try:
        cache.incr(_key(name))
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(_key(name), generation(name) + 1, timeout=None)


def bump_on_commit(name: str) -> None:
    transaction.on_commit(lambda: bump(name))
