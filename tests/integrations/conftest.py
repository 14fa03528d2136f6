import pytest

from integrations.exact.locks import shared_lock, shared_state_write
from tests.integrations.factories import LinkManagerFactory


@pytest.fixture
def manager(db):
    return LinkManagerFactory()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def exact_settings(settings, sandbox):
    """coachlink pointed at the sandbox, as the demo and CI run it."""
    settings.EXACT_BASE_URL_NL = sandbox.nl
    settings.EXACT_BASE_URL_BE = sandbox.be
    settings.EXACT_CLIENT_ID = "coachlink-demo-nl"
    settings.EXACT_CLIENT_SECRET = "sandbox-secret-nl"
    settings.EXACT_REDIRECT_URI = "http://127.0.0.1:9/integrations/exact/callback/"
    # The sandbox was reset (clock and budgets); the budgets our limiter remembers go too.
    for base, division in [(sandbox.nl, 7095), (sandbox.nl, 7096), (sandbox.be, 8101)]:
        with shared_lock(f"rate-{base}-{division}"):
            shared_state_write(f"rate-{base}-{division}", {})
    return settings


@pytest.fixture
def authenticated_link(db, sandbox, exact_settings):
    """A saved link to division 7095 holding a fresh token pair from the sandbox."""
    from integrations.models import ExactLink

    tokens = sandbox.tokens("nl", divisions=[7095])
    link = ExactLink.objects.create(division="7095")
    link.tokens_set(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_in=int(tokens["expires_in"]),
    )
    link.save()
    return link
