"""Importing a firm's client list: upload → every row checked → import the good rows in one
transaction, idempotent by credit code → a report; the same from the command line."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from expedite.audit.models import AuditEvent
from expedite.cases.models import Client, ClientContact, ClientCredential
from expedite.domain.audit import AuditKind
from expedite.imports import samples, services
from expedite.imports.models import ImportBatch
from tests.conftest import PASSWORD, make_uscc

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)
HEAD = [
    "公司名称",
    "统一社会信用代码",
    "客户价值等级",
    "备注",
    "联系人",
    "职务",
    "手机号",
    "电子邮箱",
]
GOOD = make_uscc("91310101MA1FPX0A0")


def csv_file(rows, name="clients.csv", encoding="utf-8-sig"):
    text = "\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n"
    return (name, text.encode(encoding))


def xlsx_file(sheets: dict, name="clients.xlsx"):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return (name, buffer.getvalue())


def problems(batch, number, sheet="clients"):
    row = next(r for r in batch.rows if r["number"] == number and r["sheet"] == sheet)
    return [p["template"] % p["params"] if p["params"] else p["template"] for p in row["problems"]]


def test_preview_writes_nothing_then_import_creates_everything(world):
    before = Client.objects.count()
    batch = services.import_preview(actor=world.zhang, files=samples.files(DAY))
    assert Client.objects.count() == before
    assert batch.summary["clients"] == {"new": 6, "update": 0, "same": 0, "refused": 0}
    assert batch.summary["contacts"]["new"] == 2
    assert batch.summary["credentials"]["new"] == 12

    services.import_apply(actor=world.zhang, batch=batch)

    assert Client.objects.count() == before + 6
    shenzhen = Client.objects.get(name="深圳前海跨境物流有限公司")
    assert shenzhen.value_tier == "strategic"
    assert [(c.name, c.is_primary, c.language) for c in shenzhen.contacts.all()] == [
        ("黄志强", True, "zh-hans"),
        ("Emma Liu", False, "en"),
    ]
    permit = shenzhen.credentials.get(title="道路运输经营许可证")
    assert permit.kind == "permit"
    assert permit.expires_on == DAY + dt.timedelta(days=90)
    assert shenzhen.credentials.get(kind="business_licence").expires_on is None
    event = AuditEvent.objects.get(kind=AuditKind.CLIENTS_IMPORTED)
    assert event.payload["summary"]["clients"]["new"] == 6
    assert event.actor == "zhang"


def test_importing_again_changes_nothing_and_an_edit_updates(world):
    services.import_apply(
        actor=world.zhang,
        batch=services.import_preview(actor=world.zhang, files=samples.files(DAY)),
    )
    counts = (
        Client.objects.count(),
        ClientContact.objects.count(),
        ClientCredential.objects.count(),
    )
    again = services.import_preview(actor=world.zhang, files=samples.files(DAY))
    assert again.summary["clients"] == {"new": 0, "update": 0, "same": 6, "refused": 0}
    assert again.summary["credentials"]["same"] == 12
    services.import_apply(actor=world.zhang, batch=again)
    assert counts == (
        Client.objects.count(),
        ClientContact.objects.count(),
        ClientCredential.objects.count(),
    )

    # A renewed licence: same number, a later end date → updated in place.
    tables = samples.rows(DAY)
    later = DAY + dt.timedelta(days=45 + 1826)
    for row in tables["credentials"]:
        if row[3] == "JY13201020012345":
            row[5] = later.isoformat()
    renewed = services.import_preview(
        actor=world.zhang, files=[("c.csv", samples.csv_bytes(tables["credentials"]))]
    )
    assert renewed.summary["credentials"]["update"] == 1
    services.import_apply(actor=world.zhang, batch=renewed)
    assert ClientCredential.objects.get(number="JY13201020012345").expires_on == later
    assert ClientCredential.objects.count() == counts[2]


def test_every_problem_of_every_row_is_named_and_good_rows_still_import(world):
    rows = [
        HEAD,
        ["上海甲有限公司", GOOD, "重点客户", "", "王一", "", "13800138000", ""],
        [
            "上海乙有限公司",
            GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"),
            "",
            "",
            "王二",
            "",
            "13800138001",
            "",
        ],
        ["上海丙有限公司", make_uscc("91310101MA1FPX0B0"), "VIP", "", "王三", "", "12345", ""],
        ["上海甲有限公司（重复）", GOOD, "", "", "王四", "", "13800138003", ""],
        ["", make_uscc("91310101MA1FPX0C0"), "", "", "", "", "", ""],
        ["上海丁有限公司", "12345", "", "", "王五", "", "", "not-an-email"],
    ]
    batch = services.import_preview(actor=world.zhang, files=[csv_file(rows)])
    assert batch.summary["clients"] == {"new": 1, "update": 0, "same": 0, "refused": 5}
    assert any("校验" in p for p in problems(batch, 3))
    third = problems(batch, 4)
    assert any("客户价值等级" in p for p in third)
    assert any("手机号" in p for p in third)
    assert problems(batch, 5) == ["与第 2 行重复。"]
    fifth = problems(batch, 6)
    assert "请填写公司名称。" in fifth
    assert any("新客户至少需要一位联系人" in p for p in fifth)
    sixth = problems(batch, 7)
    assert any("18 位" in p for p in sixth)
    assert "电子邮箱格式不正确。" in sixth

    services.import_apply(actor=world.zhang, batch=batch)
    assert list(Client.objects.filter(uscc=GOOD).values_list("name", flat=True)) == [
        "上海甲有限公司"
    ]
    assert not Client.objects.filter(name__startswith="上海乙").exists()


def test_a_company_already_registered_is_updated_not_duplicated(world):
    contact = world.acme.contacts.get()
    contact.language = "en"
    contact.save(update_fields=["language"])
    rows = [
        HEAD,
        ["鲜达电商（新名称）", world.acme.uscc, "战略客户", "", "周婷", "总监", "13816220001", ""],
    ]
    batch = services.import_preview(actor=world.zhang, files=[csv_file(rows)])
    assert batch.summary["clients"]["update"] == 1
    services.import_apply(actor=world.zhang, batch=batch)
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.value_tier) == ("鲜达电商（新名称）", "strategic")
    contact = world.acme.contacts.get()
    assert contact.title == "总监"
    assert contact.language == "en"  # the file said nothing of it: kept


def test_contacts_and_licences_need_a_known_company(world):
    stranger = make_uscc("91310101MA1FPX0D0")
    book = xlsx_file(
        {
            "联系人": [
                ["统一社会信用代码", "联系人", "手机号"],
                [stranger, "赵六", "13800138009"],
                [world.hengxin.uscc, "钱七", "13800138010"],
            ],
            "证照": [
                ["统一社会信用代码", "证照类别", "证照名称", "有效期至"],
                [world.hengxin.uscc, "许可证", "建筑业企业资质证书", dt.datetime(2027, 3, 31)],
                [world.hengxin.uscc, "执照", "营业执照", "明年"],
            ],
        }
    )
    batch = services.import_preview(actor=world.zhang, files=[book])
    assert any(stranger in p for p in problems(batch, 2, "contacts"))
    assert problems(batch, 3, "contacts") == []
    bad = problems(batch, 3, "credentials")
    assert any("证照类别" in p for p in bad)
    assert any("明年" in p for p in bad)
    services.import_apply(actor=world.zhang, batch=batch)
    assert world.hengxin.contacts.filter(name="钱七").exists()
    assert world.hengxin.credentials.get().expires_on == dt.date(2027, 3, 31)


def test_a_csv_saved_by_chinese_excel_is_read(world):
    rows = [HEAD, ["上海甲有限公司", GOOD, "", "", "王一", "", "13800138000", ""]]
    batch = services.import_preview(actor=world.zhang, files=[csv_file(rows, encoding="gb18030")])
    assert batch.summary["clients"]["new"] == 1
    assert batch.rows[0]["values"]["name"] == "上海甲有限公司"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("x.csv", "名称,地址\r\n甲,乙\r\n".encode(), "没有可识别的表头"),
        ("x.csv", "公司名称,手机号\r\n甲,13800138000\r\n".encode(), "缺少必填列：统一社会信用代码"),
        ("x.xlsx", b"PK\x03\x04not a zip", "无法作为 Excel 文件读取"),
        ("x.xlsx", b"hello", "无法作为 Excel 文件读取"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(world, name, data, words):
    with pytest.raises(services.ValidationFailed) as exc:
        services.import_preview(actor=world.zhang, files=[(name, data)])
    assert words in exc.value.message
    assert not ImportBatch.objects.exists()


def test_hostile_text_is_refused_or_kept_as_text(world):
    rows = [
        HEAD,
        ['=HYPERLINK("http://evil.example")', GOOD, "", "", "王一", "", "13800138000", ""],
        [
            "上海乙\x00有限公司",
            make_uscc("91310101MA1FPX0B0"),
            "",
            "",
            "王二",
            "",
            "13800138001",
            "",
        ],
        [
            "上海丙有限公司" * 40,
            make_uscc("91310101MA1FPX0C0"),
            "",
            "",
            "王三",
            "",
            "13800138002",
            "",
        ],
    ]
    batch = services.import_preview(actor=world.zhang, files=[csv_file(rows)])
    assert any("控制字符" in p for p in problems(batch, 3))
    assert any("不能超过 200 个字符" in p for p in problems(batch, 4))
    services.import_apply(actor=world.zhang, batch=batch)
    from expedite.imports.workbooks import report_bytes

    ws = load_workbook(io.BytesIO(report_bytes(batch)))["客户"]
    names = [ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)]
    assert names[0] == '=HYPERLINK("http://evil.example")'
    assert ws.cell(row=2, column=4).data_type == "s"


def test_a_batch_imports_once_and_only_for_intake_roles(world):
    batch = services.import_preview(actor=world.zhang, files=samples.files(DAY))
    with pytest.raises(services.NotAllowed):
        services.import_apply(actor=world.li, batch=batch)
    services.import_apply(actor=world.zhang, batch=batch)
    with pytest.raises(services.ValidationFailed):
        services.import_apply(actor=world.zhang, batch=batch)
    assert AuditEvent.objects.filter(kind=AuditKind.CLIENTS_IMPORTED).count() == 1


def test_the_pages_upload_preview_import_and_report(client, world):
    client.login(username="zhang", password=PASSWORD)
    assert "批量导入" in client.get(reverse("client_list")).content.decode()
    template = client.get(reverse("client_import_template"))
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert {"填写说明", "客户", "联系人", "证照"} <= set(book.sheetnames)

    # The template as downloaded is a valid import: its sample rows pass.
    upload = io.BytesIO(template.content)
    upload.name = "模板.xlsx"
    response = client.post(reverse("client_import"), {"file": upload})
    batch = ImportBatch.objects.latest("pk")
    assert response.url == reverse("client_import_batch", args=[batch.pk])
    assert batch.summary["clients"] == {"new": 2, "update": 0, "same": 0, "refused": 0}

    bad = io.BytesIO("\r\n".join([",".join(HEAD), f"甲公司,{GOOD[:-1]}X,,,王一,,138,"]).encode())
    bad.name = "bad.csv"
    client.post(reverse("client_import"), {"file": bad})
    bad_batch = ImportBatch.objects.latest("pk")
    page = client.get(reverse("client_import_batch", args=[bad_batch.pk])).content.decode()
    assert "有问题的行" in page
    assert "手机号或电话格式不正确" in page

    client.post(reverse("client_import_apply", args=[batch.pk]))
    assert Client.objects.filter(name="杭州云栖数据科技有限公司").exists()
    page = client.get(reverse("client_import_batch", args=[batch.pk])).content.decode()
    assert "导入结果" in page
    report = client.get(reverse("client_import_report", args=[batch.pk]))
    assert "filename*=UTF-8''" in report["Content-Disposition"]
    ws = load_workbook(io.BytesIO(report.content))["客户"]
    assert [ws.cell(row=r, column=3).value for r in (2, 3)] == ["新建", "新建"]


def test_staff_without_intake_rights_cannot_open_the_import(client, world):
    client.login(username="li", password=PASSWORD)
    assert client.get(reverse("client_import")).status_code == 403
    assert client.get(reverse("client_import_template")).status_code == 403


def test_the_command_checks_then_imports(world, tmp_path, capsys):
    paths = []
    for name, data in samples.files(DAY):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    before = Client.objects.count()
    call_command("import", "clients", *paths, "--dry-run")
    assert Client.objects.count() == before
    assert not ImportBatch.objects.exists()
    assert "仅检查" in capsys.readouterr().out
    call_command("import", "clients", *paths, "--user", "zhang")
    assert Client.objects.count() == before + 6
    out = capsys.readouterr().out
    assert "新建 6" in out

    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(HEAD) + f"\r\n甲公司,{GOOD[:-1]}X,,,王一,,13800138000,\r\n")
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "clients", str(bad))
    assert exit_.value.code == 1
    assert "bad.csv" in capsys.readouterr().out


def test_docs_examples_are_the_sample_rows():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "docs" / "examples"
    for name, data in samples.files(samples.DOCS_DAY):
        assert (root / name).read_bytes() == data, name
