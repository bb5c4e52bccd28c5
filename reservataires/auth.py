"""Login (throttled by django-axes) and API token issuance (throttled by DRF)."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from core.forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class TokenView(ObtainAuthToken):
    """POST username (e-mail) and password, receive the token for machine clients."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
