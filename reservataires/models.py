"""Users, organisations and memberships: who acts for whom.

One table holds every organisation (bailleur, réservataire, fédération) with a ``type``;
its ``famille`` follows from the type. Organisation-level rights come from Membership
roles; per-object grants (rare) go through django-guardian.
"""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from territoires.models import EPCI, Commune, Departement, Region


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email


class Famille(models.TextChoices):
    BAILLEUR = "bailleur", "Bailleur social"
    RESERVATAIRE = "reservataire", "Réservataire"
    FEDERATION = "federation", "Fédération"


class TypeOrganisation(models.TextChoices):
    OPH = "oph", "Office public de l'habitat (OPH)"
    ESH = "esh", "Entreprise sociale pour l'habitat (ESH)"
    SEM = "sem", "Société d'économie mixte agréée (SEM)"
    COOP = "coop", "Coopérative d'Hlm"
    PREFET = "prefet", "État – préfet de département"
    ALS = "als", "Action Logement Services"
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI / EPT"
    DEPARTEMENT = "departement", "Département"
    AUTRE = "autre", "Autre réservataire"
    URH = "urh", "Union régionale Hlm (URH / AR Hlm)"
    AORIF = "aorif", "AORIF – Union sociale pour l'habitat d'Île-de-France"


FAMILLE_DU_TYPE = {
    TypeOrganisation.OPH: Famille.BAILLEUR,
    TypeOrganisation.ESH: Famille.BAILLEUR,
    TypeOrganisation.SEM: Famille.BAILLEUR,
    TypeOrganisation.COOP: Famille.BAILLEUR,
    TypeOrganisation.PREFET: Famille.RESERVATAIRE,
    TypeOrganisation.ALS: Famille.RESERVATAIRE,
    TypeOrganisation.COMMUNE: Famille.RESERVATAIRE,
    TypeOrganisation.EPCI: Famille.RESERVATAIRE,
    TypeOrganisation.DEPARTEMENT: Famille.RESERVATAIRE,
    TypeOrganisation.AUTRE: Famille.RESERVATAIRE,
    TypeOrganisation.URH: Famille.FEDERATION,
    TypeOrganisation.AORIF: Famille.FEDERATION,
}
TYPES_BAILLEUR = [t for t, f in FAMILLE_DU_TYPE.items() if f == Famille.BAILLEUR]
TYPES_RESERVATAIRE = [t for t, f in FAMILLE_DU_TYPE.items() if f == Famille.RESERVATAIRE]
TYPES_FEDERATION = [t for t, f in FAMILLE_DU_TYPE.items() if f == Famille.FEDERATION]
# Réservataires whose convention covers their own territory rather than a whole département (R.441-5-3).
TYPES_TERRITORIAUX = [TypeOrganisation.COMMUNE, TypeOrganisation.EPCI]
# Collectivités whose rights come from loan guarantees (20 % ceiling).
TYPES_COLLECTIVITE = [TypeOrganisation.COMMUNE, TypeOrganisation.EPCI, TypeOrganisation.DEPARTEMENT]


class Role(models.TextChoices):
    ADMINISTRATEUR = "administrateur", "Administrateur"
    REDACTEUR = "redacteur", "Rédacteur"
    SIGNATAIRE = "signataire", "Signataire"
    LECTEUR = "lecteur", "Lecteur"


class Capacite(models.TextChoices):
    """What a role allows inside its organisation. The one table of role rights."""

    LIRE = "lire", "consulter"
    REDIGER = "rediger", "rédiger et négocier"
    SIGNER = "signer", "signer"
    ADMINISTRER = "administrer", "gérer l'organisation et ses membres"


ROLES_PAR_CAPACITE = {
    Capacite.LIRE: [Role.ADMINISTRATEUR, Role.REDACTEUR, Role.SIGNATAIRE, Role.LECTEUR],
    Capacite.REDIGER: [Role.ADMINISTRATEUR, Role.REDACTEUR],
    Capacite.SIGNER: [Role.SIGNATAIRE],
    Capacite.ADMINISTRER: [Role.ADMINISTRATEUR],
}


class OrganisationQuerySet(models.QuerySet):
    def bailleurs(self):
        return self.filter(type__in=TYPES_BAILLEUR)

    def reservataires(self):
        return self.filter(type__in=TYPES_RESERVATAIRE)

    def federations(self):
        return self.filter(type__in=TYPES_FEDERATION)

    def acting_for(self, user, capacite: str = Capacite.LIRE):
        """Organisations ``user`` is a member of with a role granting ``capacite``."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(
            memberships__user=user, memberships__role__in=ROLES_PAR_CAPACITE[capacite], actif=True
        ).distinct()

    def visible_to(self, user, action: str = "view"):
        """The single scoping entry point for organisations.

        ``view``: the user's own organisations and, for a federation member, the bailleurs
        adhering to it. ``annuaire``: the public directory of active bailleurs and
        réservataires (name, type, territory), used to pick the other party of a convention.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if action == "annuaire":
            return self.filter(actif=True, type__in=TYPES_BAILLEUR + TYPES_RESERVATAIRE)
        if action != "view":
            raise ValueError(f"action inconnue : {action}")
        mine = Organisation.objects.acting_for(user).values("pk")
        return self.filter(Q(pk__in=mine) | Q(federation__in=mine)).distinct()


class Organisation(models.Model):
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=TypeOrganisation.choices)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    actif = models.BooleanField("active", default=True)
    # Territory: which fields are required depends on the type (see clean()).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région")
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    epci = models.ForeignKey(EPCI, on_delete=models.PROTECT, null=True, blank=True, verbose_name="EPCI / EPT")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, verbose_name="commune")
    federation = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adherents",
        limit_choices_to={"type__in": TYPES_FEDERATION},
        verbose_name="fédération d'adhésion",
        help_text="Pour un bailleur : l'union régionale Hlm (URH, AORIF) qui suit ses conventions.",
    )
    adresse = models.TextField("adresse", blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                name="organisation_type_valide", condition=Q(type__in=[c for c, _ in TypeOrganisation.choices])
            ),
        ]

    def __str__(self):
        return self.nom

    @property
    def famille(self) -> str:
        return FAMILLE_DU_TYPE[self.type]

    @property
    def est_bailleur(self) -> bool:
        return self.famille == Famille.BAILLEUR

    @property
    def est_reservataire(self) -> bool:
        return self.famille == Famille.RESERVATAIRE

    @property
    def est_federation(self) -> bool:
        return self.famille == Famille.FEDERATION

    @property
    def est_territorial(self) -> bool:
        return self.type in TYPES_TERRITORIAUX

    def clean(self):
        errors = {}
        required = {
            TypeOrganisation.PREFET: "departement",
            TypeOrganisation.DEPARTEMENT: "departement",
            TypeOrganisation.COMMUNE: "commune",
            TypeOrganisation.EPCI: "epci",
            TypeOrganisation.URH: "region",
            TypeOrganisation.AORIF: "region",
        }
        field = required.get(self.type)
        if field and getattr(self, f"{field}_id") is None:
            errors[field] = f"Obligatoire pour une organisation de type « {self.get_type_display()} »."
        if self.federation_id and not self.est_bailleur:
            errors["federation"] = "Seul un bailleur adhère à une fédération."
        if self.federation_id and self.federation.famille != Famille.FEDERATION:
            errors["federation"] = "L'organisation choisie n'est pas une fédération."
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    fonction = models.CharField(
        "fonction", max_length=200, blank=True, help_text="Ex. « Directrice générale » : figure au bloc de signature."
    )
    cree_le = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "appartenance"
        ordering = ["organisation__nom", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    def permet(self, capacite: str) -> bool:
        return self.role in ROLES_PAR_CAPACITE[capacite]
