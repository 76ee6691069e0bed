"""The English catalogue: every string translated, none fuzzy, placeholders kept, in step with the
code, and compiled.

Source strings are Chinese (LANGUAGE_CODE zh-hans); English lives in locale/en. After adding or
changing a string:

    python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench
    (translate the new entries in locale/en/LC_MESSAGES/django.po)
    python manage.py compilemessages -l en --ignore=.venv
"""

import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages walks: the same as the command above (it reads .py, .html and .txt).
# The ignored names match at any depth, as makemessages' --ignore does.
IGNORED = {".venv", "var", "tests", "bench", "locale", ".git", "node_modules", "static", "__pycache__"}
EXTENSIONS = {".py", ".html", ".txt"}
# printf style (%(name)s, %(s).1f, %d, %%) and str.format style ({name}, {0}).
PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{[^{}\s]*\}")


def entries(po):
    return [e for e in po if not e.obsolete]


def key(entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return context + entry.msgid


def placeholders(text: str) -> Counter:
    return Counter(PERCENT.findall(text)) + Counter(BRACES.findall(text))


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO))


def test_header_is_english_with_plural_forms_and_not_fuzzy(po):
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    untranslated = [
        key(e)
        for e in entries(po)
        if (e.msgid_plural and not all(e.msgstr_plural.get(i) for i in (0, 1)))
        or (not e.msgid_plural and not e.msgstr)
    ]
    fuzzy = [key(e) for e in entries(po) if "fuzzy" in e.flags]
    assert untranslated == [], "untranslated in locale/en: " + "; ".join(untranslated)
    assert fuzzy == [], "fuzzy in locale/en (check the wording, then drop the flag): " + "; ".join(fuzzy)


def test_translations_keep_the_placeholders(po):
    wrong = []
    for e in entries(po):
        pairs = (
            [(e.msgid, e.msgstr_plural[0]), (e.msgid_plural, e.msgstr_plural[1])]
            if e.msgid_plural
            else [(e.msgid, e.msgstr)]
        )
        wrong += [
            f"{source!r} → {target!r}"
            for source, target in pairs
            if placeholders(source) != placeholders(target)
        ]
    assert wrong == []


def test_english_has_no_chinese_left(po):
    han = re.compile(r"[\u4e00-\u9fff]+")
    # Chinese may stay only where it is quoted from the source, such as a file's column names.
    quoted = re.compile(r'"[^"]*"')

    def leftover(e) -> list[str]:
        found = []
        for text in [e.msgstr, *e.msgstr_plural.values()]:
            for part in quoted.findall(text):
                if all(run in e.msgid for run in han.findall(part)):
                    text = text.replace(part, "")
            found += han.findall(text)
        return found

    left = [f"{key(e)} → {e.msgstr}" for e in entries(po) if leftover(e) or e.msgstr == e.msgid]
    assert left == []


def extract(tmp_path, monkeypatch) -> polib.POFile:
    """Run makemessages on a copy of the source, so the repository's catalogue is never touched."""
    source = tmp_path / "src"

    def ignore(directory, names):
        return [
            name
            for name in names
            if name in IGNORED or (Path(directory, name).is_file() and Path(name).suffix not in EXTENSIONS)
        ]

    shutil.copytree(settings.BASE_DIR, source, ignore=ignore)
    monkeypatch.chdir(source)
    locale = tmp_path / "locale"
    with override_settings(LOCALE_PATHS=[locale]):
        call_command("makemessages", locale=["en"], verbosity=0)
    return polib.pofile(str(locale / "en" / "LC_MESSAGES" / "django.po"))


@pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msguniq")), reason="GNU gettext is not installed"
)
def test_catalogue_is_in_step_with_the_code(po, tmp_path, monkeypatch):
    def ids(catalogue):
        return {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in entries(catalogue)}

    fresh, committed = ids(extract(tmp_path, monkeypatch)), ids(po)

    def show(items):
        return "; ".join(f"[{c}] {m}" if c else m for c, m, _plural in sorted(items, key=str))

    assert fresh - committed == set(), (
        "strings in the code but not in locale/en/LC_MESSAGES/django.po (run makemessages, translate, "
        "compilemessages): " + show(fresh - committed)
    )
    assert committed - fresh == set(), "entries no longer in the code (run makemessages): " + show(
        committed - fresh
    )


def catalogue(mo: polib.MOFile) -> dict:
    return {
        (e.msgctxt, e.msgid): tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
        for e in mo
        if e.msgid
    }


def test_committed_mo_matches_the_po(po, tmp_path):
    compiled = tmp_path / "django.mo"
    po.save_as_mofile(str(compiled))
    committed = catalogue(polib.mofile(str(MO)))
    assert committed == catalogue(polib.mofile(str(compiled))), "run compilemessages -l en and commit the .mo"


def test_django_serves_the_english_catalogue(po):
    served = []
    with translation.override("en"):
        for e in entries(po):
            if e.msgid_plural:
                got = [
                    translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt
                    else translation.ngettext(e.msgid, e.msgid_plural, n)
                    for n in (1, 2)
                ]
                want = [e.msgstr_plural[0], e.msgstr_plural[1]]
            else:
                got = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
                want = e.msgstr
            if got != want:
                served.append(f"{key(e)}: {got!r} != {want!r}")
    assert served == []
    with translation.override("zh-hans"):
        assert translation.gettext("工会") == "工会"
