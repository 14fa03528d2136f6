"""Pytest fixtures that run the Exact Online sandbox as a subprocess (exact_sandbox/README.md)."""

import pytest

from exact_sandbox.process import sandbox_start, sandbox_stop


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    server = sandbox_start(tmp_path_factory.mktemp("exact_sandbox"))
    yield server
    sandbox_stop(server)


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset()
    return sandbox_server
