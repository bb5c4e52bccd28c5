import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files and reports go to a temporary media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
