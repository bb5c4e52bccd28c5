from flux.models import Evenement


def evenement_log(*, bailleur, type: str, message: str, by=None, details: dict | None = None) -> Evenement:
    """Record what happened, in the caller's transaction."""
    return Evenement.objects.create(
        bailleur=bailleur,
        type=type,
        message=message[:500],
        par=by if by and by.is_authenticated else None,
        details=details or {},
    )
