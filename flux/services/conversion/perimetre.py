"""Périmètres of a conversion: a département, an EPCI / EPT, or a commune."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from flux.models import TypePerimetre
from reservataires.models import Organisation, TypeOrganisation
from territoires.models import EPCI, Commune, Departement


@dataclass(frozen=True)
class Perimetre:
    type: str
    code: str
    departement: Departement
    epci: EPCI | None = None
    commune: Commune | None = None

    @property
    def cle(self) -> str:
        return f"{self.type[0].upper()}{self.code}"

    @property
    def valeur(self) -> str:
        return f"{self.type[0].upper()}:{self.code}"

    @property
    def libelle(self) -> str:
        if self.commune:
            return f"Commune : {self.commune}"
        if self.epci:
            return f"{self.epci.get_type_display()} : {self.epci.nom}"
        return f"Département : {self.departement}"

    def filtre_logements(self, prefixe: str = "") -> Q:
        if self.type == TypePerimetre.DEPARTEMENT:
            return Q(**{f"{prefixe}departement_id": self.code})
        if self.type == TypePerimetre.EPCI:
            return Q(**{f"{prefixe}epci_id": self.code}) | Q(**{f"{prefixe}ept_id": self.code})
        codes = [self.code, *Commune.objects.filter(parent_id=self.code).values_list("code", flat=True)]
        return Q(**{f"{prefixe}commune_id__in": codes})

    def contient_commune(self, commune: Commune) -> bool:
        if self.type == TypePerimetre.DEPARTEMENT:
            return commune.departement_id == self.code
        if self.type == TypePerimetre.EPCI:
            return self.code in (commune.epci_id, commune.ept_id)
        return self.code in (commune.code, commune.parent_id)

    def est_territoire_de(self, reservataire: Organisation) -> bool:
        if self.type == TypePerimetre.DEPARTEMENT:
            return reservataire.type not in (TypeOrganisation.COMMUNE, TypeOrganisation.EPCI)
        if self.type == TypePerimetre.EPCI:
            return reservataire.type == TypeOrganisation.EPCI and reservataire.epci_id == self.code
        return reservataire.type == TypeOrganisation.COMMUNE and reservataire.commune_id == self.code


def perimetre_lire(valeur: str) -> Perimetre:
    """Parse « D:59 », « E:200093201 » or « C:59512 » (French ValidationError otherwise)."""
    erreur = ValidationError({"perimetre": "Périmètre invalide : D:<département>, E:<SIREN de l'EPCI> ou C:<commune>."})
    if not isinstance(valeur, str) or ":" not in valeur:
        raise erreur
    sorte, code = valeur.split(":", 1)
    code = code.strip().upper()
    if sorte == "D":
        departement = Departement.objects.filter(code=code).first()
        if departement is None:
            raise erreur
        return Perimetre(TypePerimetre.DEPARTEMENT, code, departement)
    if sorte == "E":
        epci = EPCI.objects.filter(siren=code).first()
        commune = Commune.objects.filter(Q(epci_id=code) | Q(ept_id=code)).select_related("departement").first()
        if epci is None or commune is None:
            raise erreur
        return Perimetre(TypePerimetre.EPCI, code, commune.departement, epci=epci)
    if sorte == "C":
        commune = Commune.objects.filter(code=code).select_related("departement").first()
        if commune is None:
            raise erreur
        return Perimetre(TypePerimetre.COMMUNE, code, commune.departement, commune=commune)
    raise erreur
