from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("taches/", views.job_list, name="job_list"),
    path("taches/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("sante/", views.health, name="health"),
]
