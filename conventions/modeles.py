"""Default terms and clauses of a new convention draft.

The clauses follow the structure of the regional model conventions (DOMAIN.md §3.2: object and
périmètre, assiette, volume, territorial breakdown, management mode, mise à disposition, absence
of candidates, follow-up and bilan, duration and revision, termination). The figures themselves
live in the structured terms; the clauses refer to them. Default deadlines are common practice
[P], not law: both parties negotiate them.
"""

from reservataires.models import TypeOrganisation

DEFAULT_TERMS = {
    "reconduction_tacite": True,
    "duree_reconduction_mois": 36,
    "delai_signalement_jours": 8,
    "delai_proposition_jours": 30,
    "nb_candidats": 3,
    "mode_gestion": "directe",
    "regle_absence_candidat": "impute",
    "periodicite_bilan": "annuel",
    "report_ecarts": True,
}

CLAUSES = [
    (
        "objet",
        "Objet et périmètre",
        "<p>La présente convention fixe, en application des articles L.441-1 et R.441-5 et suivants du code de la "
        "construction et de l'habitation, les modalités de la gestion en flux des droits de réservation du "
        "réservataire sur le patrimoine locatif social du bailleur situé dans le périmètre de la convention.</p>"
        "<p>Elle se substitue, pour ce périmètre, à toutes les conventions de réservation antérieures conclues entre "
        "les parties.</p>",
    ),
    (
        "assiette",
        "Assiette du flux",
        "<p>Le flux annuel est constitué des logements libérés au cours de l'année et des logements mis en location "
        "pour la première fois. En sont déduits les logements nécessaires aux mutations internes des locataires du "
        "bailleur, aux relogements liés aux opérations de renouvellement urbain et de requalification des "
        "copropriétés dégradées, aux relogements au titre de l'habitat indigne et de la vente de logements "
        "sociaux (CCH R.441-5).</p>"
        "<p>Avant le 28 février de chaque année, le bailleur communique au réservataire le nombre prévisionnel de "
        "logements soustraits du flux pour l'année en cours, et leur répartition par catégorie.</p>",
    ),
    (
        "volume",
        "Volume des droits",
        "<p>Le réservataire dispose, chaque année, de la part du flux annuel et du nombre prévisionnel de logements "
        "figurant au tableau des conditions de la présente convention. La méthode de conversion du stock de "
        "réservations en flux et l'état des lieux des réservations figurent en annexe.</p>",
    ),
    (
        "territorialisation",
        "Répartition territoriale et qualitative",
        "<p>Les objectifs sont répartis par établissement public de coopération intercommunale (et, le cas échéant, "
        "par commune) selon le tableau des objectifs territoriaux. Le bailleur veille à une répartition équilibrée "
        "des logements mis à disposition entre quartiers prioritaires de la politique de la ville et hors de "
        "ces quartiers, dans le respect des orientations de la conférence intercommunale du logement.</p>",
    ),
    (
        "mise_a_disposition",
        "Mise à disposition des logements",
        "<p>Le bailleur signale au réservataire chaque logement qui lui est orienté, dans le délai prévu aux "
        "conditions, en précisant ses caractéristiques (adresse, typologie, surface, loyer, financement, "
        "localisation en ou hors QPV, date de disponibilité).</p>"
        "<p>Le réservataire propose, dans le délai prévu, le nombre de candidats prévu aux conditions, afin que la "
        "commission d'attribution des logements et d'examen de l'occupation des logements (CALEOL) puisse "
        "examiner plusieurs candidatures.</p>",
    ),
    (
        "absence_candidat",
        "Absence de candidat dans le délai",
        "<p>À défaut de proposition de candidat dans le délai imparti, le logement est remis à disposition du "
        "bailleur pour ce tour, selon la règle figurant aux conditions (imputation sur le flux du réservataire, "
        "compensation ultérieure ou restitution).</p>",
    ),
    (
        "suivi",
        "Suivi et bilan annuel",
        "<p>Avant le 28 février de chaque année, le bailleur adresse au réservataire le bilan des logements "
        "proposés et attribués au cours de l'année précédente, par réservataire, typologie, financement, "
        "localisation en ou hors QPV, commune et période de construction (CCH R.441-5-1). Les écarts constatés "
        "sont reportés sur l'année suivante lorsque les conditions le prévoient.</p>",
    ),
    (
        "duree",
        "Durée, révision",
        "<p>La convention prend effet à la date prévue aux conditions. Elle peut être modifiée par avenant, "
        "notamment lors de la mise en service de nouveaux programmes, de l'extinction de droits, d'une évolution "
        "de la convention intercommunale d'attribution ou de cessions de patrimoine.</p>",
    ),
    (
        "resiliation",
        "Résiliation",
        "<p>Chacune des parties peut résilier la convention en cas de manquement de l'autre partie à ses "
        "engagements, après mise en demeure restée sans effet pendant deux mois.</p>",
    ),
]

CLAUSE_PREFET = (
    "publics_prioritaires",
    "Publics prioritaires et agents de l'État",
    "<p>Les logements orientés vers le préfet sont attribués aux ménages bénéficiant d'une décision favorable "
    "de la commission de médiation (DALO) et aux personnes prioritaires au sens de l'article L.441-1 du code de "
    "la construction et de l'habitation, ainsi que, dans la limite prévue aux conditions, aux agents civils et "
    "militaires de l'État. Le bailleur et le préfet échangent les informations prévues par l'arrêté ministériel "
    "relatif au contenu de la convention.</p>",
)


def clauses_for(type_reservataire: str) -> list[tuple[str, str, str]]:
    clauses = list(CLAUSES)
    if type_reservataire == TypeOrganisation.PREFET:
        clauses.insert(3, CLAUSE_PREFET)
    return clauses
