"""The dashboard's figures as an Excel workbook (openpyxl), with the same filters applied.

Rows go in through `append_row`: names and descriptions are typed text, never formulas."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from expedite.cases.spreadsheet import append_row
from expedite.domain import kpi

PERCENT = "0.0%"
DAYS = "0.00"


def _rate(r: kpi.Rate) -> list:
    return [r.value, r.numerator, r.denominator]


def workbook_bytes(report, *, choices: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("月度指标")
    head = [
        _("月份"),
        _("交付单数"),
        _("实际用时合计（工作日）"),
        _("常规用时合计（工作日）"),
        _("实际÷常规"),
        _("有行业参考的单数"),
        _("行业参考合计（工作日）"),
        _("实际÷行业参考"),
        _("按期交付率"),
        _("按期单数"),
        _("按期：计入单数"),
        _("零差错率"),
        _("无差错单数"),
        _("零差错：计入单数"),
        _("复核发现的错误"),
        _("预审 2 小时达标率"),
        _("达标轮次"),
        _("计入轮次"),
        _("异常 1 小时响应率"),
        _("按时响应"),
        _("计入异常"),
        _("满意率"),
        _("满意份数"),
        _("评价份数"),
        _("平均分"),
        _("复购率（近 12 个月）"),
        _("复购客户"),
        _("购买客户"),
    ]
    append_row(ws, head)
    rows = [*report.months, None]
    for m in rows:
        figures = m or report.total
        d = figures.durations
        label = f"{figures.month:%Y-%m}" if m else _("整个期间")
        append_row(
            ws,
            [
                label,
                d.cases,
                round(d.taken, 2),
                round(d.standard, 2),
                d.vs_standard,
                d.reference_cases,
                round(d.industry, 2),
                d.vs_industry,
                *_rate(figures.on_time),
                *_rate(figures.zero_error),
                figures.caught_in_review,
                *_rate(figures.prereview_sla),
                *_rate(figures.incident_sla),
                *_rate(figures.satisfaction.satisfied),
                figures.satisfaction.mean,
                *_rate(figures.repeat),
            ],
        )
    for col in ("E", "H", "I", "L", "P", "S", "V", "Z"):
        for cell in ws[col][1:]:
            cell.number_format = PERCENT
    for cell in ws["Y"][1:]:
        cell.number_format = "0.00"
    append_row(ws, [])
    append_row(
        ws,
        [
            _("宣称目标"),
            _("行业用时的"),
            kpi.TARGET_INDUSTRY_RATIO,
            _("零差错率"),
            kpi.TARGET_ZERO_ERROR,
            _("满意率"),
            kpi.TARGET_SATISFACTION,
            _("复购率"),
            kpi.TARGET_REPEAT,
        ],
    )
    _bold(ws)

    ws = wb.create_sheet(_("服务时效"))
    append_row(
        ws,
        [
            _("服务事项"),
            _("交付单数"),
            _("平均实际用时"),
            _("平均常规用时"),
            _("平均行业参考"),
            _("实际÷常规"),
            _("实际÷行业参考"),
        ],
    )
    for name, s in report.services:
        append_row(
            ws,
            [
                name,
                s.durations.cases,
                s.durations.mean_taken,
                s.mean_standard,
                s.mean_industry,
                s.durations.vs_standard,
                s.durations.vs_industry,
            ],
        )
    for col in ("C", "D", "E"):
        for cell in ws[col][1:]:
            cell.number_format = DAYS
    for col in ("F", "G"):
        for cell in ws[col][1:]:
            cell.number_format = PERCENT
    _bold(ws)

    ws = wb.create_sheet(_("交付后差错"))
    append_row(ws, [_("加急单"), _("客户"), _("发现日期"), _("差错说明"), _("补救措施")])
    for e in report.errors:
        append_row(ws, [e.case.reference, e.case.client.name, e.found_on, e.description, e.remedy])
    _bold(ws)

    ws = wb.create_sheet(_("筛选条件"))
    f = report.filters
    names = {
        "service": dict(choices["services"]),
        "staff": dict(choices["staff"]),
        "client": dict(choices["clients"]),
    }
    append_row(ws, [_("期间"), f"{f.first:%Y-%m} — {f.last:%Y-%m}"])
    append_row(ws, [_("服务事项"), names["service"].get(f.service, _("全部"))])
    append_row(ws, [_("人员"), names["staff"].get(f.staff, _("全部"))])
    append_row(ws, [_("客户"), names["client"].get(f.client, _("全部"))])
    append_row(ws, [_("公式"), "docs/kpi.md"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _bold(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
