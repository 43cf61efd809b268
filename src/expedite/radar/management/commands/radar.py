"""`expedite radar train|backtest|score` — the demand radar from a shell (docs/radar.md).

- `backtest [--json]`: fit on the past, score later months it has not seen, against both
  baselines, and print the figures (`--json`: the whole report).
- `train`: the same backtest, then fit on the whole history and keep the models as a new
  version; then score every client.
- `score`: score every client with the newest models.

The history is this firm's cases; `--synthetic [--seed N]` uses the documented synthetic one.
"""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from expedite import clock
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.radar import services
from expedite.radar.models import RadarSource

LABELS = {
    "model": "model",
    "expedited_last_12_months": "baseline: expedited in the last 12 months",
    "deadline_within_30_days": "baseline: a known deadline within 30 days",
}


class Command(BaseCommand):
    help = "Train, backtest or apply the demand radar."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train", "backtest", "score"])
        parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
        parser.add_argument(
            "--synthetic", action="store_true", help="use the seeded synthetic history"
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, action: str, json: bool, synthetic: bool, seed: int, **options):
        source = RadarSource.SYNTHETIC if synthetic else RadarSource.FIRM
        now = clock.now()
        try:
            if action == "score":
                self.stdout.write(_("已评分客户：%(n)d") % {"n": services.radar_score(now=now)})
                return
            if action == "train":
                version = services.radar_train(
                    source=source, now=now, seed=seed, label="expedite radar"
                )
                report = version.evaluation
                scored = services.radar_score(now=now)
            else:
                report = services.radar_backtest(source=source, now=now, seed=seed)
        except DomainError as exc:
            raise CommandError(localized(exc)) from exc
        if json:
            self.stdout.write(_json_text(report))
            return
        self._print(report)
        if action == "train":
            self.stdout.write(
                _("已保存模型 v%(v)d，已评分客户：%(n)d") % {"v": version.pk, "n": scored}
            )

    def _print(self, report: dict) -> None:
        h = report["history"]
        self.stdout.write(
            f"history {h['start']}..{h['end']}: {h['clients']} clients, {h['cases']} cases, "
            f"{h['expedited']} expedited; test months from {report['test_days'][0]}"
        )
        for days, block in report["horizons"].items():
            self.stdout.write(f"\nnext {days} days (base rate {block['base_rate']:.3f})")
            self.stdout.write(f"  {'':44} P@20   P@50   R@50   Brier  calib.err")
            for key, m in block["methods"].items():
                self.stdout.write(
                    f"  {LABELS.get(key, key):44} {m['precision_at_20']:.3f}  "
                    f"{m['precision_at_50']:.3f}  {m['recall_at_50']:.3f}  {m['brier']:.4f} "
                    f"{m['calibration_error']:.4f}"
                )
            self.stdout.write(
                f"  P@50 model ÷ better baseline ({block['better_baseline']}): "
                f"{block['precision_at_50_ratio']}"
            )


def _json_text(report: dict) -> str:
    return jsonlib.dumps(report, ensure_ascii=False, indent=2)
