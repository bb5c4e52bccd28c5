from django.urls import path

from flux.views import calcul

urlpatterns = [
    path("flux-annuel/", calcul.calcul_list, name="calcul_list"),
    path("flux-annuel/<int:pk>/", calcul.calcul_detail, name="calcul_detail"),
]
