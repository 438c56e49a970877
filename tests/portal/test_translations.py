import gettext
import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

EN_PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def test_every_english_msgid_has_a_translation():
    catalogue = polib.pofile(str(EN_PO))
    entries = [e for e in catalogue if not e.obsolete]
    assert entries
    assert [e.msgid for e in entries if e.fuzzy] == []
    assert [e.msgid for e in entries if not e.translated()] == []


def test_english_translations_keep_every_placeholder():
    for entry in polib.pofile(str(EN_PO)):
        if entry.obsolete:
            continue
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )


def test_compile_translations_writes_mo_files_without_gnu_gettext(tmp_path):
    po_path = tmp_path / "en" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    catalogue.append(polib.POEntry(msgid="Trang chủ", msgstr="Home"))
    catalogue.append(polib.POEntry(msgid="Đăng nhập", msgstr="Log in", flags=["fuzzy"]))
    catalogue.save(str(po_path))

    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("compile_translations", verbosity=0)

    with open(po_path.with_suffix(".mo"), "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    assert compiled.gettext("Trang chủ") == "Home"
    assert compiled.gettext("Đăng nhập") == "Đăng nhập", "fuzzy entries are left out"
