"""`python -m exact_sandbox reset` wipes and reseeds the sandbox's own database."""

import sqlite3
import subprocess
import sys

from exact_sandbox.process import REPO_DIR


def test_reset_creates_and_seeds_its_own_database(tmp_path):
    database = tmp_path / "own.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "exact_sandbox", "reset", "--db", str(database)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(database) as connection:
        divisions = connection.execute(
            "SELECT code FROM exact_sandbox_division ORDER BY code"
        ).fetchall()
        apps = connection.execute(
            "SELECT client_id FROM exact_sandbox_clientapp ORDER BY site"
        ).fetchall()
    assert divisions == [(7095,), (7096,), (8101,)]
    assert apps == [("coachlink-demo-be",), ("coachlink-demo-nl",)]
