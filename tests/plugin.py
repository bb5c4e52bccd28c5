"""pytest plugin loaded before pytest-django (``-p tests.plugin`` in pyproject).

It sets the test environment defaults before Django reads its settings, refuses to run
without PostgreSQL and Redis, and prints which services the run uses.
"""

import pytest

from tests import preflight

preflight.apply_defaults()


def pytest_configure(config):
    problems = preflight.check()
    if problems:
        pytest.exit("Les tests ne peuvent pas démarrer :\n  - " + "\n  - ".join(problems), returncode=3)


def pytest_report_header(config):
    return preflight.describe()
