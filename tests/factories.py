"""factory_boy factories for the foundation models (French fakers).

App-specific factories live in tests/<app>/factories.py and build richer states by
calling the real services.
"""

import factory
from factory.django import DjangoModelFactory

from reservataires.models import Membership, Organisation, Role, TypeOrganisation, User

factory.Faker._DEFAULT_LOCALE = "fr_FR"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.fr")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("mot-de-passe-de-test")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    nom = factory.Sequence(lambda n: f"Organisation {n}")
    type = TypeOrganisation.ESH
    departement_id = "59"


class BailleurFactory(OrganisationFactory):
    nom = factory.Sequence(lambda n: f"Habitat {n}")
    type = TypeOrganisation.ESH


class PrefetFactory(OrganisationFactory):
    nom = factory.Sequence(lambda n: f"Préfet {n}")
    type = TypeOrganisation.PREFET


class ALSFactory(OrganisationFactory):
    nom = factory.Sequence(lambda n: f"Action Logement Services {n}")
    type = TypeOrganisation.ALS
    departement_id = None
    region_id = "32"


class CommuneReservataireFactory(OrganisationFactory):
    nom = factory.Sequence(lambda n: f"Ville {n}")
    type = TypeOrganisation.COMMUNE
    commune_id = "59512"


class EPCIReservataireFactory(OrganisationFactory):
    nom = factory.Sequence(lambda n: f"Intercommunalité {n}")
    type = TypeOrganisation.EPCI
    epci_id = "200093201"


class FederationFactory(OrganisationFactory):
    nom = factory.Sequence(lambda n: f"Union régionale Hlm {n}")
    type = TypeOrganisation.URH
    departement_id = None
    region_id = "32"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(BailleurFactory)
    role = Role.REDACTEUR


def member(organisation, role=Role.REDACTEUR, email=None, **user_fields) -> User:
    """A user holding ``role`` in ``organisation``."""
    user = UserFactory(**({"email": email} if email else {}), **user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user
