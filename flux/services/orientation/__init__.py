"""Orientation of vacated dwellings: proposal of the réservataire, declaration (see docs/orientations.md)."""

from flux.services.orientation.declaration import OrientationErreur, declarer
from flux.services.orientation.proposition import Proposition, proposer

__all__ = ["OrientationErreur", "Proposition", "declarer", "proposer"]
