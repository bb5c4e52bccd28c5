"""The demo seed gives the bailleur Nord last year's bilans, computed from orientations and CALEOL outcomes."""

import datetime

import pytest
from django.core.management import call_command

from flux.models.orientation import Bilan, StatutBilan

pytestmark = pytest.mark.django_db


def test_la_demo_contient_les_bilans_de_l_annee_precedente(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo_seed")
    annee = datetime.date.today().year - 1
    bilans = Bilan.objects.filter(convention__bailleur__nom__icontains="nord", annee=annee)
    assert bilans.exists()
    assert sum(b.realise for b in bilans) > 0
    assert bilans.filter(statut=StatutBilan.PRODUIT).count() == 1
    compte = Bilan.objects.count()
    call_command("demo_seed")
    assert Bilan.objects.count() == compte
