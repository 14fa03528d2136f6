"""Project-wide pytest set-up."""

pytest_plugins = ["tests.plugins.sandbox", "tests.plugins.browser"]
