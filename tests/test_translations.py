"""Every visible string exists in Dutch and French: an admin never meets stray English."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_string_is_translated(extracted, language):
    with (ROOT / "portal" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {message.id for message in catalogue if message.id and message.string and not message.fuzzy}
    assert sorted(map(str, extracted - translated)) == []


def test_every_template_with_words_is_read_by_the_extraction():
    """Defends against a kind of template babel.cfg does not name (the e-mails' text parts
    were once left out): its words would go out in English to every reader."""
    from babel.util import pathmatch

    patterns = [line.strip("[]\n").split(": ", 1)[1] for line in (ROOT / "babel.cfg").read_text().splitlines() if ": " in line]
    with_words = [path.relative_to(ROOT).as_posix() for path in (ROOT / "templates").rglob("*.*") if "_(" in path.read_text()]
    assert with_words
    assert [path for path in with_words if not any(pathmatch(pattern, path) for pattern in patterns)] == []


def test_every_label_is_its_own_enums_word(app):
    """Defends against two enums' members of the same value (RunKind.FULL and SyncMode.FULL
    are equal strings) sharing one remembered label: a run's kind once read "Full (automatic)"."""
    from portal.texts.labels import LABELS, label

    with app.test_request_context():
        for labels in LABELS.values():
            for member, text in labels.items():
                assert label(member) == str(text), member
