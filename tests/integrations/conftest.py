import pytest

from testkit.factories import LinkManagerFactory


@pytest.fixture
def manager(db):
    return LinkManagerFactory()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
