"""Many declarations at once: no dwelling oriented twice, counts exact (PostgreSQL locks)."""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection

from flux.models import Orientation, SourceDeclaration
from flux.services.orientation import OrientationErreur, declarer
from flux.tasks_orientation import orientation_expirer, orientation_notifier
from tests import factories
from tests.flux.world_orientation import allocations, logement

JOUR = datetime.date(2026, 3, 2)


@pytest.mark.django_db(transaction=True)
def test_declarations_paralleles(geography, bailleur, als, prefet):
    if connection.vendor != "postgresql":
        pytest.skip("verrous PostgreSQL")
    allocations(bailleur, 2026, {als: 6, prefet: 3, None: 1})
    logements = [logement(bailleur) for _ in range(10)]
    # 20 threads: each dwelling declared twice at the same time.
    resultats, erreurs = [], []
    depart = threading.Barrier(20)

    def travail(lgt):
        try:
            depart.wait()
            o = declarer(logement=lgt, date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.API)
            resultats.append(o.reservataire_id)
        except OrientationErreur as exc:
            erreurs.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=travail, args=(lgt,)) for lgt in logements * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(resultats) == 10 and len(erreurs) == 10
    assert Orientation.objects.count() == 10
    assert Orientation.objects.values("logement").distinct().count() == 10
    # The cell lock makes the sequence of proposals as if serial: shares exactly met.
    assert Counter(resultats) == {als.pk: 6, prefet.pk: 3, None: 1}


@pytest.mark.django_db
def test_notification_par_courriel_et_tache_d_expiration(bailleur, als, mailoutbox):
    from reservataires.models import Role

    factories.member(als, Role.REDACTEUR, email="bob@als.fr")
    allocations(bailleur, 2026, {als: 1})
    o = declarer(
        logement=logement(bailleur), date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.API
    )
    assert orientation_notifier.apply(args=[o.pk]).get() == 1
    assert mailoutbox[0].to == ["bob@als.fr"] and "proposer vos candidats" in mailoutbox[0].body
    o.refresh_from_db()
    assert o.notifie_le is not None and o.date_limite_candidats is not None
    assert orientation_notifier(o.pk) == 0  # notified once only
    assert orientation_expirer() == 0
