"""Optimistic concurrency: detect, never silently overwrite, concurrent edits."""

from django.db.models import F


class ConflictError(Exception):
    """Raised when the row changed since the editor loaded it. The message is French."""


def update_if_unchanged(queryset, *, pk, expected_version: int, version_field: str = "lock_version", **fields) -> int:
    """UPDATE … WHERE version = expected; bump the version. Returns the new version.

    Raises ConflictError when another writer got there first: nothing is written.
    """
    updated = queryset.filter(pk=pk, **{version_field: expected_version}).update(
        **fields, **{version_field: F(version_field) + 1}
    )
    if not updated:
        raise ConflictError(
            "Quelqu'un a enregistré une modification entre-temps : vos changements n'ont pas été "
            "appliqués. Rechargez la page pour voir la dernière version, puis reportez vos modifications."
        )
    return expected_version + 1
