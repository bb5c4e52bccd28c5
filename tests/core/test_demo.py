import pytest
from django.core.management import call_command

from core.demo import DEMO_PASSWORD
from reservataires.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_one_account_per_kind_of_user_and_is_idempotent(capsys):
    call_command("demo_seed")
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    out = capsys.readouterr().out
    assert "Comptes de démonstration" in out
    assert DEMO_PASSWORD in out
    call_command("demo_seed")
    assert (User.objects.count(), Organisation.objects.count(), Membership.objects.count()) == counts

    families = {m.organisation.famille for m in Membership.objects.select_related("organisation")}
    assert families == {"bailleur", "reservataire", "federation"}
    assert Membership.objects.filter(role=Role.SIGNATAIRE, organisation__type="prefet").exists()
    assert Membership.objects.filter(role=Role.SIGNATAIRE, organisation__type="als").exists()
    assert User.objects.get(email="admin@demo.fr").is_superuser
    assert User.objects.get(email="bailleur.redacteur@demo.fr").check_password(DEMO_PASSWORD)
