"""The deployment description stays in step with the settings."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _env_vars_read_by_settings() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", source))


def _documented() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_environment_variable_is_documented_in_env_example():
    missing = _env_vars_read_by_settings() - _documented()
    assert not missing, f"À documenter dans .env.example : {sorted(missing)}"


def test_docker_compose_describes_web_worker_beat_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) >= {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn" in services["web"]["command"]
    assert "celery -A config worker" in services["worker"]["command"]
    assert "celery -A config beat" in services["beat"]["command"]
    assert services["postgres"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme
    assert "make demo" in readme
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)
