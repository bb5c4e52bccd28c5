"""Production settings: checked in a subprocess with a production-like environment."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/flux_reservations",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "ALLOWED_HOSTS": "flux.example.fr",
}


def _manage(*args, env_overrides=None, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in drop}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides or {})
    for key in drop:
        env.pop(key, None)
    for key in (
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "BEHIND_TLS_PROXY",
        "CELERY_TASK_ALWAYS_EAGER",
        "STATIC_MANIFEST",
        # Set by the browser tests for Playwright's event loop; never part of a deployment.
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_a_secret_key():
    result = _manage("check", drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_a_malformed_boolean_stops_the_start():
    result = _manage("check", env_overrides={"DEBUG": "peut-être"})
    assert result.returncode != 0
    assert "valeur booléenne attendue" in result.stderr


def test_production_requires_redis_unless_tasks_run_eagerly():
    result = _manage("check", env_overrides={"REDIS_URL": ""})
    assert result.returncode != 0
    assert "REDIS_URL est obligatoire" in result.stderr


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("LANGUAGE_CODE", "fr-fr"),
        ("TIME_ZONE", "Europe/Paris"),
        ("AUTH_USER_MODEL", "reservataires.User"),
        ("CSRF_COOKIE_HTTPONLY", False),
        ("X_FRAME_OPTIONS", "DENY"),
    ],
)
def test_core_settings(setting, expected):
    assert getattr(settings, setting) == expected


def test_password_validators_require_12_characters_and_refuse_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_password("motdepasse")
    messages = " ".join(exc.value.messages)
    assert "12 caractères" in messages


def test_production_settings_enable_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = _manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == ["31536000", "True", "True", "True"]
