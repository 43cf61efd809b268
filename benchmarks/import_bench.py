"""Client import: N companies (each with a contact and two licences) through the import's
check, preview and import, against registering companies one at a time through the same
service the 登记客户 page uses, measured in the same run.

Runs on the database DATABASE_URL names (a fresh SQLite file under a temporary directory by
default: the embedded setup), after migrating it. Prints the seconds for the whole import of
N rows (a CSV of companies and one of licences, as `expedite import clients` reads them),
rows per second, and the ratio of its per-company time to the one-at-a-time baseline's. Then
imports the same files again, which must change nothing.

    .venv/bin/python benchmarks/import_bench.py [--rows 10000] [--baseline 300]
Target: 10,000 rows in under 60 s on the embedded setup.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

HEAD = ["公司名称", "统一社会信用代码", "客户价值等级", "联系人", "职务", "手机号", "电子邮箱"]
CRED_HEAD = ["统一社会信用代码", "证照类别", "证照名称", "证照编号", "发证日期", "有效期至"]


def codes(n: int, offset: int = 0) -> list[str]:
    from expedite.domain.identifiers import uscc_check_character

    out = []
    for i in range(offset, offset + n):
        first17 = f"91310115MA{i:07d}"
        out.append(first17 + uscc_check_character(first17))
    return out


def files(n: int) -> list[tuple[str, bytes]]:
    from expedite.imports.samples import csv_bytes

    clients, creds = [HEAD], [CRED_HEAD]
    for i, code in enumerate(codes(n)):
        clients.append(
            [f"上海测试{i}号有限公司", code, "普通", f"联系人{i}", "经理", f"139{i:08d}", ""]
        )
        creds.append([code, "营业执照", "营业执照", code, "2020-01-01", "长期"])
        creds.append([code, "许可证", "食品经营许可证", f"JY{i:012d}", "2022-05-01", "2027-04-30"])
    return [("clients.csv", csv_bytes(clients)), ("licences.csv", csv_bytes(creds))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=300)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="import-bench-")
    os.environ.setdefault("EXPEDITE_VAR_DIR", tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from expedite.cases.models import Client, ClientCredential
    from expedite.cases.services import ContactInput, client_create
    from expedite.domain.roles import Role
    from expedite.imports import services

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-liaison", password="x")  # noqa: S106
    user.groups.add(Group.objects.get_or_create(name=Role.LIAISON.value)[0])
    data = files(args.rows)

    start = time.perf_counter()
    batch = services.import_preview(actor=user, files=data)
    batch = services.import_apply(actor=user, batch=batch)
    whole = time.perf_counter() - start
    assert batch.summary["clients"]["new"] == args.rows, batch.summary
    assert ClientCredential.objects.count() == 2 * args.rows

    start = time.perf_counter()
    again = services.import_apply(actor=user, batch=services.import_preview(actor=user, files=data))
    repeat = time.perf_counter() - start
    assert again.summary["clients"]["same"] == args.rows, again.summary
    assert Client.objects.count() == args.rows

    start = time.perf_counter()
    for i, code in enumerate(codes(args.baseline, offset=args.rows)):
        client_create(
            actor=user,
            name=f"上海基准{i}号有限公司",
            uscc=code,
            contacts=[ContactInput(name=f"联系人{i}", phone=f"138{i:08d}")],
        )
    baseline = time.perf_counter() - start

    per_import = whole / args.rows
    per_single = baseline / args.baseline
    rows = args.rows * 3  # each company is a client row and two licence rows
    print(
        f"import of {args.rows} companies ({rows} rows): {whole:.1f} s, {rows / whole:,.0f} rows/s"
    )
    print(f"importing the same files again (no change): {repeat:.1f} s")
    print(
        f"one at a time (登记客户, {args.baseline} companies, no licences): "
        f"{per_single * 1000:.2f} ms per company"
    )
    print(f"ratio import ÷ one at a time, per company: {per_import / per_single:.3f}")
    if args.rows >= 10_000:
        met = whole < 60
        print(f"target 10,000 rows in < 60 s ({rows} here): {'met' if met else 'NOT met'}")
        return 0 if met else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
