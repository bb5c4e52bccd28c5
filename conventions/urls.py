from django.urls import path

from conventions import views

app_name = "conventions"
urlpatterns = [
    path("", views.convention_list, name="convention_list"),
    path("nouvelle/", views.convention_create, name="convention_create"),
    path("nouvelle/reservataires/", views.reservataire_choices, name="reservataire_choices"),
    path("portefeuille/", views.portefeuille, name="portefeuille"),
    path("<int:pk>/", views.convention_detail, name="convention_detail"),
    path("<int:pk>/projet/", views.draft_edit, name="draft_edit"),
    path("<int:pk>/projet/transmettre/", views.draft_propose, name="draft_propose"),
    path("<int:pk>/projet/abandonner/", views.draft_discard, name="draft_discard"),
    path("<int:pk>/contre-proposition/", views.draft_start, name="draft_start"),
    path("<int:pk>/approuver/", views.approve, name="approve"),
    path("<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("<int:pk>/abandonner/", views.abandon, name="abandon"),
    path("<int:pk>/avenant/", views.avenant_open, name="avenant_open"),
    path("<int:pk>/avenant/abandonner/", views.avenant_abandon, name="avenant_abandon"),
    path("<int:pk>/resilier/", views.terminate, name="terminate"),
    path("<int:pk>/signature/", views.start_signature, name="start_signature"),
    path("<int:pk>/signer/", views.sign, name="sign"),
    path("<int:pk>/signature/refuser/", views.refuse_signature, name="refuse_signature"),
    path("<int:pk>/documents/<int:documentconvention_pk>/", views.document_download, name="document_download"),
    path("<int:pk>/documents/<int:documentconvention_pk>/apercu/", views.document_preview, name="document_preview"),
    path("<int:pk>/commentaires/", views.comment_add, name="comment_add"),
    path("<int:pk>/commentaires/<int:commentaire_pk>/resoudre/", views.comment_resolve, name="comment_resolve"),
    path("<int:pk>/annexes/<int:annexe_pk>/", views.annexe_download, name="annexe_download"),
]
