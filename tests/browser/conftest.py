"""Playwright for Python driving Debian's Chromium against the live test server.

Chromium comes from Debian's package (/usr/bin/chromium, installed by .ci/run); Playwright's
own browser download does not work here. Without Chromium the browser tests are skipped,
unless REQUIRE_BROWSER=1 (set by .ci/run) which turns the absence into a failure.
Screenshots are written to test-artifacts/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium introuvable ({CHROMIUM}) : apt-get install -y chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # The live server thread and the ORM calls of the test share the process with Playwright's loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None,
    )
    page.base_url = live_server.url
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def login(page):
    def _login(user, password=PASSWORD, target_page=None):
        p = target_page or page
        p.goto(f"{page.base_url}/comptes/connexion/")
        p.fill("input[name=username]", user.email)
        p.fill("input[name=password]", password)
        p.click("button[type=submit]")
        p.wait_for_url(f"{page.base_url}/")
        return p

    return _login


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
