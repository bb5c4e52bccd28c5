"""Reads of the review screens: a réservataire's objectives per EPCI across its conventions, the
dwellings allocated to it by the annual flux, and its own targets. A handful of aggregate queries
whatever the volume (group by EPCI in SQL)."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from conventions.models import Convention, Objectif
from flux.models import CibleReservataire, FluxAllocation, FluxCellule, MotifAllocation
from reservataires.models import Capacite, Organisation
from territoires.models import EPCI


@dataclass
class LigneRevue:
    epci_id: str
    epci_nom: str
    objectifs: int = 0
    conventions: int = 0
    alloues: int = 0
    cible: int | None = None
    cible_modifiee_le: object = None

    @property
    def ecart_objectifs(self) -> int | None:
        return None if self.cible is None else self.objectifs - self.cible

    @property
    def ecart_alloues(self) -> int | None:
        return None if self.cible is None else self.alloues - self.cible


@dataclass
class Revue:
    reservataire: Organisation
    annee: int
    lignes: list[LigneRevue] = field(default_factory=list)

    @property
    def totaux(self) -> dict:
        cibles = [ligne.cible for ligne in self.lignes if ligne.cible is not None]
        return {
            "objectifs": sum(ligne.objectifs for ligne in self.lignes),
            "conventions": sum(ligne.conventions for ligne in self.lignes),
            "alloues": sum(ligne.alloues for ligne in self.lignes),
            "cible": sum(cibles) if cibles else None,
            "ecart_objectifs": sum(ligne.ecart_objectifs for ligne in self.lignes if ligne.cible is not None)
            if cibles
            else None,
            "ecart_alloues": sum(ligne.ecart_alloues for ligne in self.lignes if ligne.cible is not None)
            if cibles
            else None,
        }


def reservataires_de(user, capacite: str = Capacite.LIRE):
    """The réservataires the user acts for (Action Logement, préfecture, collectivité…)."""
    return Organisation.objects.acting_for(user, capacite).reservataires().order_by("nom")


def objectifs_en_vigueur(user, reservataire: Organisation, departement_id: str | None = None):
    """EPCI objectives of the réservataire's living conventions, from each one's version in force
    (signed version, else the last transmitted one), grouped by EPCI."""
    conventions = Convention.objects.visible_to(user).vivantes().filter(reservataire=reservataire)
    if departement_id:
        conventions = conventions.filter(departement_id=departement_id)
    return (
        Objectif.objects.filter(commune__isnull=True, version__convention__in=conventions.values("pk"))
        .filter(
            Q(version__convention__version_en_vigueur=F("version"))
            | Q(
                version__convention__version_en_vigueur__isnull=True, version__convention__version_courante=F("version")
            )
        )
        .values("epci_id")
        .annotate(total=Sum("nombre"), nb=Count("version__convention", distinct=True))
    )


def revue_objectifs(user, reservataire: Organisation, annee: int, departement_id: str | None = None) -> Revue:
    """One line per EPCI where the réservataire has an objective, an allocation or a target."""
    objectifs = {o["epci_id"]: o for o in objectifs_en_vigueur(user, reservataire, departement_id)}
    allocations = FluxAllocation.objects.visible_to(user).en_vigueur(annee).filter(reservataire=reservataire)
    cibles = CibleReservataire.objects.visible_to(user).filter(reservataire=reservataire, annee=annee)
    if departement_id:
        allocations = allocations.filter(cellule__departement_id=departement_id)
        cibles = cibles.filter(epci__communes__departement_id=departement_id).distinct()
    alloues = {a["epci_id"]: a["total"] for a in allocations.values("epci_id").annotate(total=Sum("logements"))}
    cibles = {c.epci_id: c for c in cibles}
    ids = set(objectifs) | set(alloues) | set(cibles)
    noms = dict(EPCI.objects.filter(pk__in=ids).values_list("pk", "nom"))
    lignes = []
    for epci_id in sorted(ids, key=lambda i: noms.get(i, i)):
        cible = cibles.get(epci_id)
        lignes.append(
            LigneRevue(
                epci_id=epci_id,
                epci_nom=noms.get(epci_id, epci_id),
                objectifs=objectifs.get(epci_id, {}).get("total") or 0,
                conventions=objectifs.get(epci_id, {}).get("nb") or 0,
                alloues=alloues.get(epci_id) or 0,
                cible=cible.nombre if cible else None,
                cible_modifiee_le=cible.modifie_le if cible else None,
            )
        )
    return Revue(reservataire=reservataire, annee=annee, lignes=lignes)


def graphique(revue: Revue, largeur: int = 720, hauteur_barre: int = 10) -> dict:
    """Geometry of the server-side SVG bar chart: objectives vs target per EPCI."""
    maximum = max([1] + [max(ligne.objectifs, ligne.cible or 0) for ligne in revue.lignes])
    marge, zone = 220, largeur - 260
    barres = []
    for i, ligne in enumerate(revue.lignes):
        y = 10 + i * (2 * hauteur_barre + 12)
        barres.append(
            {
                "nom": ligne.epci_nom[:34],
                "y": y,
                "y_texte": y + hauteur_barre,
                "y_cible": y + hauteur_barre + 1,
                "objectifs": ligne.objectifs,
                "cible": ligne.cible,
                "l_objectifs": round(zone * ligne.objectifs / maximum, 1),
                "l_cible": round(zone * (ligne.cible or 0) / maximum, 1),
            }
        )
    return {
        "largeur": largeur,
        "hauteur": 30 + len(barres) * (2 * hauteur_barre + 12),
        "marge": marge,
        "hauteur_barre": hauteur_barre,
        "barres": barres,
    }


PREFET_DEFAUT = "Préfet – flux des conventions non signées"
PART_BAILLEUR = "Bailleur – part non réservée"


def resultats_par_epci(user, annee: int, mode: str, bailleur_id=None, departement_id=None) -> dict:
    """Results of the flux in force per EPCI: the forecast flux (bailleur side only) and the dwellings
    of each réservataire, the bailleur's own share and the préfet's fallback line. A réservataire sees
    only its own lines: cells (the whole flux) are not visible to it."""
    allocations = FluxAllocation.objects.visible_to(user).filter(annee=annee, mode=mode)
    cellules = FluxCellule.objects.visible_to(user).filter(annee=annee, mode=mode)
    if bailleur_id:
        allocations, cellules = allocations.filter(bailleur_id=bailleur_id), cellules.filter(bailleur_id=bailleur_id)
    if departement_id:
        allocations = allocations.filter(cellule__departement_id=departement_id)
        cellules = cellules.filter(departement_id=departement_id)
    parts = list(
        allocations.values("epci_id", "reservataire_id", "reservataire__nom", "motif").annotate(total=Sum("logements"))
    )
    flux = {c["epci_id"]: c["total"] for c in cellules.values("epci_id").annotate(total=Sum("flux"))}
    colonnes = {}
    for p in parts:
        cle = (p["reservataire_id"] or 0, p["motif"] == MotifAllocation.PREFET_SANS_CONVENTION)
        if p["reservataire_id"] is None:
            libelle = PREFET_DEFAUT if cle[1] else PART_BAILLEUR
        elif cle[1]:
            libelle = f"{p['reservataire__nom']} (flux relevant du préfet, convention non signée)"
        else:
            libelle = p["reservataire__nom"]
        colonnes[cle] = libelle
    ordre = sorted(colonnes, key=lambda c: (c[0] == 0, colonnes[c]))
    ids = set(flux) | {p["epci_id"] for p in parts}
    noms = dict(EPCI.objects.filter(pk__in=ids).values_list("pk", "nom"))
    valeurs = {}
    for p in parts:
        cle = (p["reservataire_id"] or 0, p["motif"] == MotifAllocation.PREFET_SANS_CONVENTION)
        valeurs[(p["epci_id"], cle)] = valeurs.get((p["epci_id"], cle), 0) + p["total"]
    lignes = []
    for epci_id in sorted(ids, key=lambda i: noms.get(i, i)):
        cellules_ligne = [valeurs.get((epci_id, c), 0) for c in ordre]
        lignes.append(
            {
                "epci_id": epci_id,
                "epci_nom": noms.get(epci_id, epci_id),
                "flux": flux.get(epci_id),
                "parts": cellules_ligne,
                "total": sum(cellules_ligne),
            }
        )
    voit_flux = bool(flux)
    totaux = {
        "flux": sum(flux.values()) if voit_flux else None,
        "parts": [sum(ligne["parts"][i] for ligne in lignes) for i in range(len(ordre))],
        "total": sum(ligne["total"] for ligne in lignes),
    }
    return {"colonnes": [colonnes[c] for c in ordre], "lignes": lignes, "totaux": totaux, "voit_flux": voit_flux}
