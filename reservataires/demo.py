"""Demo organisations and one account per kind of user.

The organisations are fictitious (names end with their territory) but sit on real
geography: Nord (59) for Hauts-de-France, Seine-Saint-Denis (93) for Île-de-France.
"""

from core.demo import DemoAccount, DemoContext
from reservataires.models import Membership, Organisation, Role, TypeOrganisation, User

ORGANISATIONS = [
    # key, nom, type, territory fields, federation key
    ("urh_hdf", "URH Hauts-de-France", TypeOrganisation.URH, {"region_id": "32"}, None),
    (
        "aorif",
        "AORIF – Union sociale pour l'habitat d'Île-de-France",
        TypeOrganisation.AORIF,
        {"region_id": "11"},
        None,
    ),
    ("bailleur_nord", "Nord Habitat Solidaire", TypeOrganisation.OPH, {"departement_id": "59"}, "urh_hdf"),
    ("bailleur_flandre", "Logis de Flandre", TypeOrganisation.ESH, {"departement_id": "59"}, "urh_hdf"),
    ("bailleur_seine", "Seine Habitat Social", TypeOrganisation.ESH, {"departement_id": "93"}, "aorif"),
    ("prefet_59", "Préfet du Nord (DDETS du Nord)", TypeOrganisation.PREFET, {"departement_id": "59"}, None),
    (
        "prefet_93",
        "Préfet de la Seine-Saint-Denis (UD DRIHL 93)",
        TypeOrganisation.PREFET,
        {"departement_id": "93"},
        None,
    ),
    (
        "als_hdf",
        "Action Logement Services – Direction régionale Hauts-de-France",
        TypeOrganisation.ALS,
        {"region_id": "32"},
        None,
    ),
    (
        "als_idf",
        "Action Logement Services – Direction régionale Île-de-France",
        TypeOrganisation.ALS,
        {"region_id": "11"},
        None,
    ),
    (
        "mel",
        "Métropole Européenne de Lille",
        TypeOrganisation.EPCI,
        {"epci_id": "200093201", "departement_id": "59"},
        None,
    ),
    ("roubaix", "Ville de Roubaix", TypeOrganisation.COMMUNE, {"commune_id": "59512", "departement_id": "59"}, None),
    ("cd59", "Département du Nord", TypeOrganisation.DEPARTEMENT, {"departement_id": "59"}, None),
]

ACCOUNTS = [
    # email, first, last, profil, org key, role, fonction
    (
        "bailleur.redacteur@demo.fr",
        "Camille",
        "Durand",
        "Bailleur – rédactrice",
        "bailleur_nord",
        Role.REDACTEUR,
        "Chargée des réservations",
    ),
    (
        "bailleur.signataire@demo.fr",
        "Hélène",
        "Martin",
        "Bailleur – signataire",
        "bailleur_nord",
        Role.SIGNATAIRE,
        "Directrice générale",
    ),
    (
        "bailleur.admin@demo.fr",
        "Paul",
        "Lefebvre",
        "Bailleur – administrateur",
        "bailleur_nord",
        Role.ADMINISTRATEUR,
        "Responsable du service attributions",
    ),
    (
        "flandre.redacteur@demo.fr",
        "Yasmine",
        "Benali",
        "Bailleur (2e) – rédactrice",
        "bailleur_flandre",
        Role.REDACTEUR,
        "Responsable gestion locative",
    ),
    (
        "flandre.signataire@demo.fr",
        "Olivier",
        "Marchand",
        "Bailleur (2e) – signataire",
        "bailleur_flandre",
        Role.SIGNATAIRE,
        "Directeur général",
    ),
    (
        "seine.redacteur@demo.fr",
        "Julien",
        "Moreau",
        "Bailleur IDF – rédacteur",
        "bailleur_seine",
        Role.REDACTEUR,
        "Chargé de mission flux",
    ),
    (
        "als.redacteur@demo.fr",
        "Sophie",
        "Bernard",
        "Action Logement – rédactrice",
        "als_hdf",
        Role.REDACTEUR,
        "Chargée de relations bailleurs",
    ),
    (
        "als.signataire@demo.fr",
        "Marc",
        "Petit",
        "Action Logement – signataire",
        "als_hdf",
        Role.SIGNATAIRE,
        "Directeur régional",
    ),
    (
        "prefet.redacteur@demo.fr",
        "Nadia",
        "Roux",
        "Préfecture – rédactrice",
        "prefet_59",
        Role.REDACTEUR,
        "Cheffe du pôle logement (DDETS)",
    ),
    (
        "prefet.signataire@demo.fr",
        "Laurent",
        "Garnier",
        "Préfecture – signataire",
        "prefet_59",
        Role.SIGNATAIRE,
        "Préfet du Nord",
    ),
    (
        "mel.redacteur@demo.fr",
        "Thomas",
        "Fontaine",
        "EPCI – rédacteur",
        "mel",
        Role.REDACTEUR,
        "Chargé de mission habitat",
    ),
    ("commune.lecteur@demo.fr", "Claire", "Robin", "Commune – lectrice", "roubaix", Role.LECTEUR, "Service logement"),
    (
        "federation@demo.fr",
        "Isabelle",
        "Lambert",
        "Fédération URH – lectrice",
        "urh_hdf",
        Role.LECTEUR,
        "Chargée de mission réforme des attributions",
    ),
    (
        "aorif@demo.fr",
        "Karim",
        "Haddad",
        "Fédération AORIF – lecteur",
        "aorif",
        Role.LECTEUR,
        "Chargé de mission gestion en flux",
    ),
]


def seed(ctx: DemoContext) -> None:
    orgs: dict[str, Organisation] = {}
    for key, nom, type_, territory, federation_key in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            nom=nom,
            defaults={
                "type": type_,
                **territory,
                "federation": orgs[federation_key] if federation_key else None,
            },
        )
        orgs[key] = org
    ctx.objects.update(orgs)

    for email, first, last, profil, org_key, role, fonction in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=ctx.password, first_name=first, last_name=last)
        Membership.objects.get_or_create(
            user=user, organisation=orgs[org_key], defaults={"role": role, "fonction": fonction}
        )
        ctx.objects[email] = user
        ctx.accounts.append(DemoAccount(email, profil, orgs[org_key].nom, Role(role).label))

    if not User.objects.filter(email="admin@demo.fr").exists():
        User.objects.create_superuser(
            email="admin@demo.fr", password=ctx.password, first_name="Admin", last_name="Plateforme"
        )
    ctx.accounts.append(
        DemoAccount("admin@demo.fr", "Administrateur plateforme", "(administration Django)", "superutilisateur")
    )
