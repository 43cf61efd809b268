"""The firm's matrix: refunds under 50,000 CNY by the department manager, from 50,000 the
general manager; surcharge waivers and accepting an infeasible case by the department manager.

The rows are written out here (not read from the domain module) so that this migration keeps
meaning what it meant when the defaults change later.
"""

from decimal import Decimal

from django.db import migrations

NOTE = "减少审批层级：5万元以下的加急退税由部门经理直接审批，不用走总经理签批。"

DEFAULTS = {
    "refund": (
        NOTE,
        [(Decimal(0), Decimal(50000), "manager"), (Decimal(50000), None, "general_manager")],
    ),
    "surcharge_waiver": ("减免加急费须经部门经理审批。", [(Decimal(0), None, "manager")]),
    "accept_infeasible": (
        "接受无法按期完成的加急单须经部门经理审批。",
        [(Decimal(0), None, "manager")],
    ),
}


def seed(apps, schema_editor):
    Policy = apps.get_model("approvals", "ApprovalPolicy")
    Rule = apps.get_model("approvals", "ApprovalRule")
    for action, (note, rules) in DEFAULTS.items():
        policy, created = Policy.objects.get_or_create(action=action, defaults={"note": note})
        if created:
            for low, high, role in rules:
                Rule.objects.create(action=policy, min_amount=low, max_amount=high, role=role)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
