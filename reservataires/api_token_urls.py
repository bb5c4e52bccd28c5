from django.urls import path

from reservataires.auth import TokenView

urlpatterns = [path("", TokenView.as_view(), name="api-token")]
