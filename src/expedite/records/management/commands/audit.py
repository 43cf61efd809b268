"""`expedite audit verify [--case N] [--anchor FILE] [--json]` and `expedite audit anchor`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from expedite.audit.verify import check_anchor_file, verify
from expedite.cases.models import Case
from expedite.records.audit_jobs import audit_daily


class Command(BaseCommand):
    help = "Verify the hash-chained audit record and the stored files, or write an anchor."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="recompute the chain and the files' hashes")
        v.add_argument("--case", type=int, help="only the events and files of this case")
        v.add_argument("--anchor", help="an anchor file written earlier")
        v.add_argument("--json", action="store_true")
        sub.add_parser(
            "anchor", help="verify, then write the chain head to var/anchors and queue it for mail"
        )

    def handle(self, *args, action, **o):
        if action == "anchor":
            result = audit_daily()
            if not result["ok"]:
                raise CommandError(
                    "审计链校验失败，未写锚点：" + "；".join(p["text"] for p in result["problems"]),
                    returncode=1,
                )
            self.stdout.write(
                f"{result['file']}: #{result['anchor']['seq']} {result['anchor']['hash']}"
            )
            return
        anchor = None
        if o["anchor"]:
            path = Path(o["anchor"])
            try:
                anchor = check_anchor_file(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取锚点文件 {path}：{exc}", returncode=2) from exc
        if o["case"] is not None and not Case.objects.filter(pk=o["case"]).exists():
            raise CommandError(f"找不到加急单 #{o['case']}", returncode=2)
        report = verify(case_id=o["case"], anchor=anchor)
        if o["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(f"校验 {report.events} 个事件、{report.files} 个文件。")
            for f in report.findings:
                self.stdout.write(f.describe())
        if not report.ok:
            raise CommandError("审计记录校验失败：" + report.findings[0].describe(), returncode=1)
        if not o["json"]:
            self.stdout.write("完好。")
