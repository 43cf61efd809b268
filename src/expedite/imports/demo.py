"""Demo import: the firm's client list from docs/examples imported by the liaison (six
companies, their contacts and licences, some falling due within weeks), and a second upload
waiting for confirmation whose rows show the problems a preview names. Idempotent."""

from __future__ import annotations

import datetime as dt

from expedite.domain.calendar import SHANGHAI
from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import Role

from . import samples, services
from .models import ImportBatch

# Imported: the sample companies. Waiting: one good company, two rows with problems.
IMPORTED = 6
_WAITING_ROWS = [
    ["公司名称", "统一社会信用代码", "客户价值等级", "联系人", "手机号"],
    ["上海浦江会展服务有限公司", "91310115MA1H8K2W0", "普通", "孙悦", "13761000021"],
    ["上海徐汇文化传媒有限公司", "91310104MA1FR2D5X", "重点客户", "钱程", "1376100002"],
    ["上海浦江会展服务有限公司", "91310115MA1H8K2W0", "普通", "孙悦", "13761000021"],
]


def _waiting_file() -> tuple[str, bytes]:
    rows = [list(r) for r in _WAITING_ROWS]
    good = rows[1][1][:17] + uscc_check_character(rows[1][1][:17])
    rows[1][1] = rows[3][1] = good  # the third row repeats the first: a duplicate
    return ("新客户-12月.csv", samples.csv_bytes(rows))


def imports_demo_load(*, users: dict, now: dt.datetime) -> int:
    if ImportBatch.objects.exists():
        return 0
    liaison = users[Role.LIAISON]
    today = now.astimezone(SHANGHAI).date()
    batch = services.import_preview(actor=liaison, files=samples.files(today))
    services.import_apply(actor=liaison, batch=batch)
    services.import_preview(actor=liaison, files=[_waiting_file()])
    return IMPORTED
