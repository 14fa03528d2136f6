"""Dutch is complete: every message of every catalogue is translated, compiled and current."""

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[1]
APPS = ["billing", "exports", "integrations", "notifications"]
# The project catalogue holds what the apps do not: settings, the base templates, the widgets.
PROJECT_SKIPS = {*APPS, "exact_sandbox", "tests", "bench", ".venv", ".tools", "artifacts"}
# The keywords makemessages gives xgettext for Django's translation functions.
KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
]
CATALOGUES = {
    "project": ROOT / "locale/nl/LC_MESSAGES/django.po",
    **{app: ROOT / app / "locale/nl/LC_MESSAGES/django.po" for app in APPS},
}


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _live(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete and entry.msgid]


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_message_has_a_dutch_translation_that_is_not_fuzzy(name):
    entries = _live(CATALOGUES[name])
    missing = [entry.msgid for entry in entries if not entry.translated()]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert entries, f"{name}: an empty catalogue"
    assert missing == [], f"{name}: no Dutch for these messages"
    assert fuzzy == [], f"{name}: fuzzy (guessed) Dutch for these messages"


@pytest.mark.parametrize("name", CATALOGUES)
def test_the_compiled_catalogue_matches_its_source(name):
    source = {_key(entry): entry.msgstr or entry.msgstr_plural for entry in _live(CATALOGUES[name])}
    compiled = polib.mofile(str(CATALOGUES[name].with_suffix(".mo")))
    assert {
        _key(entry): entry.msgstr or entry.msgstr_plural for entry in compiled if entry.msgid
    } == source, f"{name}: run make messages to compile the .mo"


def _sources(name: str) -> list[Path]:
    base = ROOT if name == "project" else ROOT / name
    files = []
    for path in sorted(base.rglob("*")):
        parts = path.relative_to(base).parts
        if name == "project" and parts[0] in PROJECT_SKIPS:
            continue
        if "locale" in parts or "migrations" in parts or path.suffix not in {".py", ".html"}:
            continue
        files.append(path)
    return files


def _extracted(name: str, workdir: Path) -> set[tuple[str | None, str]]:
    """The message ids makemessages would find now, read the way it reads them."""
    inputs = []
    for number, path in enumerate(_sources(name)):
        if path.suffix == ".html":
            # Templates go through Django's templatize, as makemessages does.
            target = workdir / f"{number}.py"
            target.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
            inputs.append(str(target))
        else:
            inputs.append(str(path))
    command = ["xgettext", "--language=Python", "--from-code=UTF-8", "--output=-"]
    command += [f"--keyword={keyword}" for keyword in KEYWORDS]
    output = subprocess.run(command + inputs, capture_output=True, check=True, text=True).stdout
    return {_key(entry) for entry in polib.pofile(output) if entry.msgid}


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_message_in_the_code_is_in_its_catalogue(name, tmp_path):
    if shutil.which("xgettext") is None:
        message = "needs GNU gettext (xgettext) to read the messages from the code"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    in_code = _extracted(name, tmp_path)
    in_catalogue = {_key(entry) for entry in _live(CATALOGUES[name])}
    assert sorted(in_code - in_catalogue, key=str) == [], f"{name}: run make messages"
