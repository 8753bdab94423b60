"""The Vietnamese catalogue translates every message, and the committed .mo matches the .po."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import registry

TRANSLATIONS = Path(registry.__file__).parent / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalogue():
    with open(TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale="vi")


def test_every_extracted_message_has_a_vietnamese_translation():
    with open(TRANSLATIONS / "messages.pot", "rb") as fh:
        template = read_po(fh)
    vi = catalogue()
    untranslated = [m.id for m in template if m.id and not (vi.get(m.id) and vi.get(m.id).string)]
    fuzzy = [m.id for m in vi if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert len(template) > 300


def test_translations_keep_the_placeholders():
    wrong = [
        m.id
        for m in catalogue()
        if m.id and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert wrong == []


def test_the_committed_mo_file_is_compiled_from_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, catalogue())
    compiled.seek(0)
    with open(TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        committed = read_mo(fh)
    expected = read_mo(compiled)
    assert {m.id: m.string for m in committed if m.id} == {m.id: m.string for m in expected if m.id}


def test_every_message_in_the_code_and_templates_has_a_vietnamese_translation(tmp_path):
    """Extract from the sources as they are now, so a new untranslated message fails here."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    pot = tmp_path / "now.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "lazy_gettext",
            "--ignore-dirs",
            ".* __pycache__",
            "-o",
            str(pot),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        extracted = read_po(fh)
    with (root / "registry/translations/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    missing = [
        m.id for m in extracted if m.id and not (catalog.get(m.id) and catalog.get(m.id).string)
    ]
    assert missing == [], f"run pybabel extract/update (see babel.cfg) and translate: {missing!r}"
