"""Compile every .po file under LOCALE_PATHS to .mo with polib, so no GNU gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile every .po file under LOCALE_PATHS to .mo (fuzzy and empty entries are left out)."
    )

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).rglob("*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                self.stdout.write(
                    f"{po_path}: {len(catalogue.translated_entries())} translated, "
                    f"{len(catalogue.untranslated_entries())} untranslated, "
                    f"{len(catalogue.fuzzy_entries())} fuzzy"
                )
        self.stdout.write(self.style.SUCCESS(f"Compiled {compiled} catalogue(s)."))
