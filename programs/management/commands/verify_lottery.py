"""Re-run a program's lottery from its published seed and entry lists and compare with the recorded draw."""

from django.core.management.base import BaseCommand, CommandError

from programs.models import Program
from programs.services import lottery


class Command(BaseCommand):
    help = "Re-run a drawn lottery from the published seed and entries; exit 1 when the result differs."

    def add_arguments(self, parser):
        parser.add_argument("program", type=int, help="program id")

    def handle(self, *args, program: int, **options):
        found = Program.objects.filter(pk=program).first()
        if found is None:
            raise CommandError(f"no program {program}")
        if not found.lottery_drawn_at:
            raise CommandError(f"program {program} has not been drawn")
        result = lottery.verify_lottery(found)
        self.stdout.write(f"seed: {result['seed']}")
        self.stdout.write(f"algorithm: {result['algorithm']}")
        for session_id, check in result["sessions"].items():
            mark = "OK" if check["ok"] else "DIFFERS"
            self.stdout.write(
                f"session {session_id}: {len(check['entries'])} entries; "
                f"order {' '.join(map(str, check['expected']))} — {mark}"
            )
        if not result["ok"]:
            raise CommandError("the recorded draw differs from a re-run of the published algorithm")
        self.stdout.write(self.style.SUCCESS("the draw re-runs to the same order"))
