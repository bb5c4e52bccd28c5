"""The demo seed gives the bailleur Nord this year's orientations to open, idempotently."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from flux.models import Attribution, Orientation, StatutOrientation

pytestmark = pytest.mark.django_db


def test_le_jeu_de_demonstration_des_orientations():
    call_command("demo_seed")
    annee = timezone.localdate().year
    orientations = Orientation.objects.filter(bailleur__nom__icontains="Nord", annee=annee)
    n = orientations.count()
    assert n >= 8
    assert orientations.filter(statut=StatutOrientation.REMIS).exists()
    assert orientations.filter(statut__in=[StatutOrientation.ORIENTE, StatutOrientation.CANDIDATS]).exists()
    assert Attribution.objects.filter(premier_quartile=True).exists() and Attribution.objects.filter(dalo=True).exists()
    assert orientations.filter(statut=StatutOrientation.BAIL_SIGNE).exists()
    call_command("demo_seed")
    assert Orientation.objects.filter(annee=annee).count() == n
