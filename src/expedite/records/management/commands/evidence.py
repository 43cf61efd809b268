"""`expedite evidence CASE [-o FILE]`: the evidence ZIP of a case (reference or id)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from expedite.cases.models import Case
from expedite.domain.text import parse_id
from expedite.records.evidence import case_evidence


class Command(BaseCommand):
    help = (
        "Write the evidence file (ZIP: PDF index, events with chain proof, files, costs) of a case."
    )

    def add_arguments(self, parser):
        parser.add_argument("case", help="case reference (JJ-2026-00001) or id")
        parser.add_argument(
            "-o", "--output", help="file to write (default: REFERENCE-evidence.zip)"
        )

    def handle(self, *args, case, output=None, **options):
        found = Case.objects.filter(reference=case).first()
        pk = parse_id(case)
        if found is None and pk is not None:
            found = Case.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"找不到加急单：{case}", returncode=2)
        path = Path(output) if output else None
        if path is not None and not path.parent.is_dir():
            raise CommandError(f"目录不存在：{path.parent}", returncode=2)
        name, data = case_evidence(actor=None, case=found)
        path = path or Path(name)
        path.write_bytes(data)
        self.stdout.write(f"{path}（{len(data):,} 字节）")
