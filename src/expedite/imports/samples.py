"""A firm's client list as it arrives: the rows of docs/examples and of the demo's import.

Expiry dates are counted from `today`, so the demo always shows licences falling due soon;
docs/examples holds the same rows for 2026-12-01.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from expedite.domain.identifiers import uscc_check_character

DOCS_DAY = dt.date(2026, 12, 1)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


# (name, first 17 of the credit code, tier, contact, title, phone, e-mail)
_COMPANIES = [
    (
        "杭州云栖数据科技有限公司",
        "91330106MA2H3K1P0",
        "重点客户",
        "陈思远",
        "行政经理",
        "13957100001",
        "chensy@yunqi.example",
    ),
    ("南京钟山食品贸易有限公司", "91320102MA1W8Q2R3", "普通", "刘晓燕", "财务", "13851700002", ""),
    (
        "深圳前海跨境物流有限公司",
        "91440300MA5F7T3U6",
        "战略客户",
        "黄志强",
        "总经理",
        "13699800003",
        "huang@qhlogi.example",
    ),
    (
        "北京海淀智造科技有限公司",
        "91110108MA01X4B5C",
        "普通",
        "王蕾",
        "人事主管",
        "",
        "wanglei@hdzz.example",
    ),
    ("成都锦江餐饮管理有限公司", "91510104MA6C9D7E8", "普通", "李娜", "店长", "13880800005", ""),
    (
        "武汉光谷生物医药有限公司",
        "91420100MA4K2F8G9",
        "重点客户",
        "张伟",
        "法务",
        "13971000006",
        "zhangwei@oggb.example",
    ),
]


def _date(today: dt.date, days: int | None) -> str:
    return "长期" if days is None else (today + dt.timedelta(days=days)).isoformat()


def rows(today: dt.date) -> dict[str, list[list[str]]]:
    """Header and rows of the three sheets, as text."""
    clients = [
        [
            "公司名称",
            "统一社会信用代码",
            "客户价值等级",
            "备注",
            "联系人",
            "职务",
            "手机号",
            "电子邮箱",
            "语言",
        ]
    ]
    for name, first17, tier, contact, title, phone, email in _COMPANIES:
        clients.append([name, _uscc(first17), tier, "", contact, title, phone, email, "中文"])
    code = {c[0]: _uscc(c[1]) for c in _COMPANIES}
    contacts = [["统一社会信用代码", "联系人", "职务", "手机号", "电子邮箱", "语言"]]
    contacts += [
        [
            code["深圳前海跨境物流有限公司"],
            "Emma Liu",
            "Finance Director",
            "13699800013",
            "emma@qhlogi.example",
            "英文",
        ],
        [code["杭州云栖数据科技有限公司"], "周磊", "法定代表人", "13957100011", "", "中文"],
    ]
    creds = [["统一社会信用代码", "证照类别", "证照名称", "证照编号", "发证日期", "有效期至"]]
    for _name, first17, *_rest in _COMPANIES:
        creds.append([_uscc(first17), "营业执照", "营业执照", _uscc(first17), "2019-03-15", "长期"])
    creds += [
        [
            code["南京钟山食品贸易有限公司"],
            "许可证",
            "食品经营许可证",
            "JY13201020012345",
            _date(today, -1800),
            _date(today, 45),
        ],
        [
            code["成都锦江餐饮管理有限公司"],
            "许可证",
            "食品经营许可证",
            "JY15101040054321",
            _date(today, -1700),
            _date(today, 20),
        ],
        [
            code["深圳前海跨境物流有限公司"],
            "许可证",
            "道路运输经营许可证",
            "粤交运管许可深字440300123456号",
            _date(today, -1400),
            _date(today, 90),
        ],
        [
            code["武汉光谷生物医药有限公司"],
            "资质证书",
            "高新技术企业证书",
            "GR202442000123",
            _date(today, -1000),
            _date(today, 95),
        ],
        [
            code["武汉光谷生物医药有限公司"],
            "许可证",
            "药品经营许可证",
            "鄂AA0270001",
            _date(today, -1500),
            _date(today, 200),
        ],
        [code["杭州云栖数据科技有限公司"], "印章", "公章", "3301060012345", "2019-03-20", "长期"],
    ]
    return {"clients": clients, "contacts": contacts, "credentials": creds}


def csv_bytes(table: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark: what Excel opens without garbling Chinese."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return out.getvalue().encode("utf-8-sig")


def files(today: dt.date) -> list[tuple[str, bytes]]:
    """The three CSV files, named as in docs/examples."""
    tables = rows(today)
    return [(f"import-{kind}.csv", csv_bytes(table)) for kind, table in tables.items()]
