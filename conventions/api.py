"""REST API of conventions: the same operations as the pages, through the same services.

Every viewset takes its objects from ``visible_to`` (core.scoping.ScopedViewSetMixin); nested routes
first resolve the convention among the visible ones, so another organisation's ids answer 404.
Service errors map to 400 / 403 / 404 / 409 in core.api.exception_handler.
"""

from django.utils import timezone
from django.utils.functional import cached_property
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from conventions import diff, rules, selectors, services, signature, workflow
from conventions import serializers as s
from conventions.models import Commentaire, Convention, ConventionVersion, Evenement, Statut
from core.scoping import ScopedViewSetMixin, get_visible_or_404
from reservataires.models import TYPES_RESERVATAIRE, Capacite, Organisation, TypeOrganisation

TAG = ["Conventions"]


class JSONParser(parsers.JSONParser):
    """JSON only (no multipart to misparse), and a malformed body is explained in French."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise ParseError("Corps de requête JSON invalide : vérifiez la syntaxe du document envoyé.") from exc


class ConventionFilter(filters.FilterSet):
    statut = filters.ChoiceFilter(choices=Statut.choices, label="statut")
    bailleur = filters.NumberFilter(field_name="bailleur_id", label="identifiant du bailleur")
    reservataire = filters.NumberFilter(field_name="reservataire_id", label="identifiant du réservataire")
    departement = filters.CharFilter(field_name="departement_id", label="code du département")
    type_reservataire = filters.ChoiceFilter(
        field_name="reservataire__type",
        choices=[(t, TypeOrganisation(t).label) for t in TYPES_RESERVATAIRE],
        label="type de réservataire",
    )

    class Meta:
        model = Convention
        fields = ["statut", "bailleur", "reservataire", "departement", "type_reservataire"]


def _convention_response(request, convention, code=status.HTTP_200_OK):
    convention = (
        Convention.objects.visible_to(request.user).select_related("bailleur", "reservataire").get(pk=convention.pk)
    )
    return Response(s.ConventionSerializer(convention, context={"request": request}).data, status=code)


def _action_schema(summary: str, request=None, response=s.ConventionSerializer, description: str = ""):
    return extend_schema(summary=summary, description=description, request=request, responses=response, tags=TAG)


@extend_schema_view(
    list=extend_schema(summary="Conventions visibles (filtrables)", tags=TAG),
    retrieve=extend_schema(summary="Une convention", tags=TAG),
    create=extend_schema(
        summary="Ouvrir un projet de convention (bailleur)",
        request=s.ConventionCreateSerializer,
        responses={201: s.ConventionSerializer},
        tags=TAG,
    ),
)
class ConventionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Conventions de réservation : parties, périmètre, statut, et les actions de la négociation."""

    scoped_model = Convention
    parser_classes = [JSONParser]
    serializer_class = s.ConventionSerializer
    filterset_class = ConventionFilter
    ordering_fields = ["modifie_le", "numero", "statut"]
    ordering = ["-modifie_le"]

    def refine_queryset(self, qs):
        return qs.select_related("bailleur", "reservataire", "departement", "epci", "commune")

    def create(self, request, *args, **kwargs):
        serializer = s.ConventionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        convention = services.convention_create(by=request.user, **serializer.validated_data)
        return _convention_response(request, convention, status.HTTP_201_CREATED)

    def _input(self, serializer_class):
        serializer = serializer_class(data=request_data(self.request))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Contrôle du portefeuille d'un bailleur dans un département",
        description="Chaque convention vivante du bailleur, contrôlée sur sa dernière version (transmise, sinon "
        "le projet) : plafonds, objectifs, total des parts de tous les réservataires. Réservé aux membres du "
        "bailleur.",
        parameters=[
            OpenApiParameter("bailleur", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("departement", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True),
        ],
        responses=s.PortefeuilleSerializer,
        tags=TAG,
    )
    @action(detail=False, methods=["get"], url_path="portefeuille", filter_backends=[], pagination_class=None)
    def portefeuille(self, request):
        query = s.PortefeuilleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        bailleur = (
            Organisation.objects.acting_for(request.user)
            .bailleurs()
            .filter(pk=query.validated_data["bailleur"])
            .first()
        )
        if bailleur is None:
            raise NotFound("Introuvable.")
        rows = selectors.controle_portefeuille(bailleur, query.validated_data["departement"], request.user)
        data = {
            "bailleur": bailleur.pk,
            "departement": query.validated_data["departement"],
            "approbation_possible_partout": not any(r["bloquantes"] for r in rows),
            "conventions": rows,
        }
        return Response(s.PortefeuilleSerializer(data).data)

    @_action_schema("Transmettre le projet de version à l'autre partie", s.TransmettreSerializer)
    @action(detail=True, methods=["post"], url_path="transmettre")
    def transmettre(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.TransmettreSerializer)
        services.version_propose(convention=convention, by=request.user, resume=data["resume"])
        return _convention_response(request, convention)

    @_action_schema(
        "Préparer une contre-proposition (nouveau projet de version)",
        None,
        {201: s.VersionSerializer},
        "Copie la version sur la table en un projet que seule votre partie voit et modifie.",
    )
    @action(detail=True, methods=["post"], url_path="contre-proposer")
    def contre_proposer(self, request, pk=None):
        convention = self.get_object()
        draft = services.version_draft_start(convention=convention, by=request.user)
        return Response(s.VersionSerializer(draft).data, status=status.HTTP_201_CREATED)

    @_action_schema("Abandonner son projet de version non transmis", None)
    @action(detail=True, methods=["post"], url_path="abandonner-projet")
    def abandonner_projet(self, request, pk=None):
        convention = self.get_object()
        services.version_draft_discard(convention=convention, by=request.user)
        return _convention_response(request, convention)

    @_action_schema(
        "Approuver la version sur la table",
        s.ApprouverSerializer,
        description="409 si une autre version a été transmise depuis ; 400 si une règle bloquante n'est pas respectée.",
    )
    @action(detail=True, methods=["post"], url_path="approuver")
    def approuver(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.ApprouverSerializer)
        version = get_visible_or_404(ConventionVersion, request.user, pk=data["version"], convention=convention)
        services.version_approve(convention=convention, version=version, by=request.user)
        return _convention_response(request, convention)

    @_action_schema("Rouvrir la négociation d'une convention validée", s.MotifSerializer)
    @action(detail=True, methods=["post"], url_path="rouvrir")
    def rouvrir(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.MotifSerializer)
        services.convention_reopen(convention=convention, by=request.user, motif=data["motif"])
        return _convention_response(request, convention)

    @_action_schema("Abandonner le projet ou la négociation", s.MotifSerializer)
    @action(detail=True, methods=["post"], url_path="abandonner")
    def abandonner(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.MotifSerializer)
        services.convention_abandon(convention=convention, by=request.user, motif=data["motif"])
        return _convention_response(request, convention)

    @_action_schema("Préparer un avenant à une convention signée", None, {201: s.VersionSerializer})
    @action(detail=True, methods=["post"], url_path="avenant")
    def avenant(self, request, pk=None):
        convention = self.get_object()
        draft = services.avenant_open(convention=convention, by=request.user)
        return Response(s.VersionSerializer(draft).data, status=status.HTTP_201_CREATED)

    @_action_schema("Abandonner l'avenant en cours", s.MotifSerializer)
    @action(detail=True, methods=["post"], url_path="abandonner-avenant")
    def abandonner_avenant(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.MotifSerializer)
        services.avenant_abandon(convention=convention, by=request.user, motif=data["motif"])
        return _convention_response(request, convention)

    @_action_schema("Résilier une convention signée", s.ResilierSerializer)
    @action(detail=True, methods=["post"], url_path="resilier")
    def resilier(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.ResilierSerializer)
        services.convention_terminate(
            convention=convention, by=request.user, motif=data["motif"], date_effet=data.get("date_effet")
        )
        return _convention_response(request, convention)

    @_action_schema("Lancer la signature de la version validée (bailleur)", None)
    @action(detail=True, methods=["post"], url_path="lancer-signature")
    def lancer_signature(self, request, pk=None):
        convention = self.get_object()
        signature.convention_start_signature(convention=convention, by=request.user)
        return _convention_response(request, convention)

    @_action_schema(
        "Signer la convention pour sa partie (signataire, après ré-authentification)",
        s.SignerSerializer,
        description="Le bailleur signe en premier. 403 si le mot de passe est faux ou le rôle insuffisant.",
    )
    @action(detail=True, methods=["post"], url_path="signer")
    def signer(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.SignerSerializer)
        if not request.user.check_password(data["mot_de_passe"]):
            raise PermissionDenied("Mot de passe incorrect : la signature n'a pas été apposée.")
        signature.convention_sign(convention=convention, by=request.user, reauthenticated_at=timezone.now())
        return _convention_response(request, convention)

    @_action_schema("Refuser de signer (motif obligatoire)", s.MotifSerializer)
    @action(detail=True, methods=["post"], url_path="refuser-signature")
    def refuser_signature(self, request, pk=None):
        convention = self.get_object()
        data = self._input(s.MotifSerializer)
        signature.signature_refuse(convention=convention, by=request.user, motif=data["motif"])
        return _convention_response(request, convention)

    @extend_schema(
        summary="Documents à signer et signés de la convention, et leurs signatures",
        responses=s.DocumentsSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="documents")
    def documents(self, request, pk=None):
        convention = self.get_object()
        docs = convention.documents.prefetch_related("signatures__organisation").select_related("version")
        return Response(s.DocumentsSerializer({"documents": docs}).data)


class VerificationView(APIView):
    """Public: is this PDF a document of the platform, who signed it and when, was it modified since?"""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [parsers.MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "verification"

    @extend_schema(
        summary="Vérifier un PDF signé",
        request={"multipart/form-data": s.VerificationInputSerializer},
        responses={200: s.VerificationSerializer},
        auth=[],
    )
    def post(self, request):
        data = s.VerificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fichier = data.validated_data["fichier"]
        if fichier.size > 20 * 1024 * 1024:
            raise ValidationError({"fichier": "Le fichier dépasse 20 Mo."})
        v = signature.document_verify(fichier.read())
        r = v.resultat
        return Response(
            s.VerificationSerializer(
                {
                    "verdict": r.verdict.value,
                    "message": r.message,
                    "document_de_la_plateforme": v.document is not None,
                    "message_plateforme": v.message_plateforme,
                    "conforme_a_l_original": v.conforme,
                    "reference": r.reference,
                    "sha256": r.sha256,
                    "signatures": [
                        {
                            "signataire": sig.signer_name,
                            "organisation": sig.organisation,
                            "partie": sig.slot,
                            "signe_le": sig.signing_time,
                            "certificat_de_la_plateforme": sig.trusted,
                            "intacte": sig.intact and sig.valid,
                            "modifiee_apres": sig.modified_after,
                            "couverture": sig.coverage,
                        }
                        for sig in r.signatures
                    ],
                }
            ).data
        )


def request_data(request):
    data = request.data
    return data if hasattr(data, "get") else {}


class ConventionNestedMixin(ScopedViewSetMixin):
    """Routes under /conventions/{convention_pk}/: the convention must be visible, or 404."""

    parser_classes = [JSONParser]

    @cached_property
    def convention(self) -> Convention:
        return get_visible_or_404(Convention, self.request.user, pk=self.kwargs.get("convention_pk"))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.scoped_model.objects.none()
        return super().get_queryset()


CONVENTION_PK = OpenApiParameter("convention_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Convention.")


@extend_schema_view(
    list=extend_schema(summary="Versions lisibles d'une convention", parameters=[CONVENTION_PK], tags=TAG),
    retrieve=extend_schema(
        summary="Une version : conditions, objectifs, clauses, annexes", parameters=[CONVENTION_PK], tags=TAG
    ),
    partial_update=extend_schema(
        summary="Modifier son projet de version (verrou optimiste)",
        description="`lock_version` est obligatoire : celui de la version lue. S'il est périmé (quelqu'un a "
        "enregistré entre-temps) ou si la version a été transmise, la réponse est 409 et rien n'est écrit. "
        "Les règles ne bloquent jamais la rédaction : voir /controles/.",
        parameters=[CONVENTION_PK],
        request=s.VersionUpdateSerializer,
        responses=s.VersionSerializer,
        tags=TAG,
    ),
)
class VersionViewSet(
    ConventionNestedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of a convention; a draft is visible only to the side writing it."""

    scoped_model = ConventionVersion
    serializer_class = s.VersionSerializer
    http_method_names = ["get", "patch", "head", "options"]
    ordering = ["numero"]
    ordering_fields = ["numero"]
    filterset_fields = ["etat"]

    def refine_queryset(self, qs):
        return (
            qs.filter(convention=self.convention)
            .select_related("organisation", "auteur")
            .prefetch_related("objectifs__epci", "objectifs__commune", "clauses", "annexes")
        )

    def update(self, request, *args, **kwargs):
        version = self.get_object()
        serializer = s.VersionUpdateSerializer(data=request_data(request))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lock = data.pop("lock_version")
        objectifs = data.pop("objectifs", None)
        clauses = data.pop("clauses", None)
        annexes = data.pop("annexes", None)
        services.version_update(
            version=version,
            by=request.user,
            expected_lock_version=lock,
            terms=data,
            objectifs=[dict(o) for o in objectifs] if objectifs is not None else None,
            clauses=[dict(c) for c in clauses] if clauses is not None else None,
            annexes=[dict(a) for a in annexes] if annexes is not None else None,
        )
        return Response(s.VersionSerializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(
        summary="Contrôles réglementaires d'une version",
        description="Règles sur la version seule et sur le portefeuille du bailleur dans le département. "
        "Une violation bloquante empêche l'approbation, jamais la rédaction.",
        parameters=[CONVENTION_PK],
        responses=s.ControlesSerializer,
        tags=TAG,
    )
    @action(detail=True, methods=["get"], url_path="controles")
    def controles(self, request, convention_pk=None, pk=None):
        version = self.get_object()
        violations = selectors.violations(version)
        return Response(
            s.ControlesSerializer(
                {
                    "version": version.pk,
                    "approbation_possible": not rules.bloquantes(violations),
                    "violations": violations,
                }
            ).data
        )

    @extend_schema(
        summary="Redline d'une version contre une autre",
        description="Sans `base` : la version que votre partie a lue en dernier (ou celle dont elle est issue).",
        parameters=[
            CONVENTION_PK,
            OpenApiParameter("base", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Version de comparaison."),
        ],
        responses=s.RedlineSerializer,
        tags=TAG,
    )
    @action(detail=True, methods=["get"], url_path="redline")
    def redline(self, request, convention_pk=None, pk=None):
        version = self.get_object()
        raw = request.query_params.get("base")
        if raw:
            try:
                base_pk = int(raw)
            except ValueError:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"base": ["Indiquez l'identifiant numérique d'une version."]}) from None
            base = get_visible_or_404(ConventionVersion, request.user, pk=base_pk, convention=self.convention)
        else:
            org = workflow.acting_party(self.convention, request.user, (Capacite.LIRE,))
            base = selectors.base_de_comparaison(version, org)
        return Response(s.RedlineSerializer(diff.redline(version, base)).data)


@extend_schema_view(
    list=extend_schema(summary="Commentaires d'une convention", parameters=[CONVENTION_PK], tags=TAG),
    create=extend_schema(
        summary="Commenter une condition, une clause ou la version",
        parameters=[CONVENTION_PK],
        request=s.CommentaireCreateSerializer,
        responses={201: s.CommentaireSerializer},
        tags=TAG,
    ),
)
class CommentaireViewSet(
    ConventionNestedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    scoped_model = Commentaire
    serializer_class = s.CommentaireSerializer
    ordering = ["cree_le"]
    ordering_fields = ["cree_le"]

    def refine_queryset(self, qs):
        return selectors.commentaires_visibles(self.convention, self.request.user).filter(pk__in=qs.values("pk"))

    def create(self, request, *args, **kwargs):
        convention = self.convention
        serializer = s.CommentaireCreateSerializer(data=request_data(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = None
        if data.get("version"):
            version = get_visible_or_404(ConventionVersion, request.user, pk=data["version"], convention=convention)
        commentaire = services.comment_add(
            convention=convention, by=request.user, texte=data["texte"], cible=data["cible"], version=version
        )
        return Response(s.CommentaireSerializer(commentaire).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Marquer un commentaire comme résolu",
        parameters=[CONVENTION_PK],
        request=None,
        responses=s.CommentaireSerializer,
        tags=TAG,
    )
    @action(detail=True, methods=["post"], url_path="resoudre")
    def resoudre(self, request, convention_pk=None, pk=None):
        commentaire = self.get_object()
        commentaire = services.comment_resolve(commentaire=commentaire, by=request.user)
        return Response(s.CommentaireSerializer(commentaire).data)


@extend_schema_view(
    list=extend_schema(
        summary="Journal d'une convention (qui, quand, quoi, pour quelle organisation)",
        parameters=[CONVENTION_PK],
        tags=TAG,
    ),
)
class JournalViewSet(ConventionNestedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    scoped_model = Evenement
    serializer_class = s.EvenementSerializer
    ordering = ["le"]
    ordering_fields = ["le"]

    def refine_queryset(self, qs):
        return selectors.evenements_visibles(self.convention, self.request.user).filter(pk__in=qs.values("pk"))
