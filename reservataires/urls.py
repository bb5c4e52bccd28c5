from django.urls import path

from reservataires import views

app_name = "reservataires"
urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/membres/<int:membership_pk>/retirer/", views.membership_remove, name="membership_remove"),
]
