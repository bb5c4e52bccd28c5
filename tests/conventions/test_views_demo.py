"""The demo data: conventions in several statuses, seeded through the services, for every demo account."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conventions.models import Commentaire, Convention, Statut
from reservataires.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_account_conventions_to_open_and_is_idempotent():
    call_command("demo_seed")
    counts = (Convention.objects.count(), Commentaire.objects.count())
    call_command("demo_seed")
    assert (Convention.objects.count(), Commentaire.objects.count()) == counts

    statuts = {
        (c.bailleur.nom, c.reservataire.nom): c.statut
        for c in Convention.objects.select_related("bailleur", "reservataire")
    }
    nord = {r: s for (b, r), s in statuts.items() if b == "Nord Habitat Solidaire"}
    assert nord["Préfet du Nord (DDETS du Nord)"] == Statut.VALIDEE
    assert nord["Action Logement Services – Direction régionale Hauts-de-France"] == Statut.EN_NEGOCIATION
    assert nord["Métropole Européenne de Lille"] == Statut.BROUILLON
    assert nord["Ville de Roubaix"] == Statut.EN_NEGOCIATION
    flandre = {r: s for (b, r), s in statuts.items() if b == "Logis de Flandre"}
    assert flandre["Action Logement Services – Direction régionale Hauts-de-France"] == Statut.SIGNEE
    assert {r for (b, r) in statuts if b == "Seine Habitat Social"} == {
        "Préfet de la Seine-Saint-Denis (UD DRIHL 93)",
        "Action Logement Services – Direction régionale Île-de-France",
    }
    als = Convention.objects.get(
        bailleur__nom="Nord Habitat Solidaire", reservataire__nom__startswith="Action Logement Services – Direction"
    )
    assert als.version_courante.numero == 2 and als.version_courante.organisation == als.reservataire

    for email in (
        "bailleur.redacteur@demo.fr",
        "als.redacteur@demo.fr",
        "prefet.redacteur@demo.fr",
        "mel.redacteur@demo.fr",
        "commune.lecteur@demo.fr",
        "federation@demo.fr",
        "aorif@demo.fr",
        "seine.redacteur@demo.fr",
        "flandre.redacteur@demo.fr",
    ):
        user = User.objects.get(email=email)
        visible = list(Convention.objects.visible_to(user))
        assert visible, email
        client = Client()
        client.force_login(user)
        for convention in visible:
            response = client.get(reverse("conventions:convention_detail", kwargs={"pk": convention.pk}))
            assert response.status_code == 200, (email, convention.numero)
