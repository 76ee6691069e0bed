"""Fail when the committed OpenAPI schema (openapi.yaml) differs from what the code generates.

Integrators build against the committed file, so an API change must show up in
review as a change of openapi.yaml. `--write` regenerates it after a deliberate change.
"""

import difflib
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

SCHEMA_FILE = Path(settings.BASE_DIR) / "openapi.yaml"
MAX_DIFF_LINES = 200


class Command(BaseCommand):
    help = "Compare openapi.yaml with the generated schema (or rewrite it with --write)."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Rewrite openapi.yaml from the code.")

    def handle(self, *args, write: bool = False, **options):
        generated = self.generate()
        if write:
            SCHEMA_FILE.write_text(generated, encoding="utf-8")
            self.stdout.write(f"Wrote {SCHEMA_FILE.name}.")
            return
        committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if committed == generated:
            self.stdout.write(f"{SCHEMA_FILE.name} is up to date.")
            return
        diff = difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            fromfile=f"{SCHEMA_FILE.name} (committed)",
            tofile=f"{SCHEMA_FILE.name} (generated)",
        )
        lines = list(diff)
        self.stdout.write("".join(lines[:MAX_DIFF_LINES]))
        if len(lines) > MAX_DIFF_LINES:
            self.stdout.write(f"... and {len(lines) - MAX_DIFF_LINES} more lines of difference\n")
        raise CommandError(
            f"{SCHEMA_FILE.name} is out of date with the API. If the change is intended, run "
            "`manage.py check_openapi --write` and commit the file."
        )

    def generate(self) -> str:
        # Warnings fail too: an unresolved serializer or parameter is a hole in the contract.
        # The language is pinned so the schema does not depend on the caller's locale.
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "openapi.yaml"
            call_command(
                "spectacular",
                file=str(target),
                validate=True,
                fail_on_warn=True,
                lang=settings.LANGUAGE_CODE,
                stderr=self.stderr,
            )
            return target.read_text(encoding="utf-8")
