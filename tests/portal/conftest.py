import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The English catalogue compiled from the .po file, as the start and test commands do."""
    call_command("compile_translations", verbosity=0)
