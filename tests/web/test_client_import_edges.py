"""Importing clients where files disagree with themselves or the database, and files built
to break the reader: every case ends in a clear problem or refusal, never a server error."""

import datetime as dt
import io
import zipfile

import pytest

from expedite.cases.models import Client, ClientContact
from expedite.imports import services
from expedite.imports.models import ImportBatch
from tests.conftest import make_uscc
from tests.web.test_client_import import HEAD, csv_file, problems, xlsx_file

pytestmark = pytest.mark.django_db

NEW = make_uscc("91310101MA1FPX0E0")
CRED_HEAD = ["统一社会信用代码", "证照类别", "证照名称", "证照编号", "发证日期", "有效期至"]


def imported(world, files):
    return services.import_apply(
        actor=world.zhang, batch=services.import_preview(actor=world.zhang, files=files)
    )


def test_a_new_company_refused_for_want_of_a_contact_takes_its_licences_with_it(world):
    book = xlsx_file(
        {
            "客户": [HEAD, ["上海无人有限公司", NEW, "", "", "", "", "", ""]],
            "证照": [
                CRED_HEAD,
                [NEW, "营业执照", "营业执照", "", "", "长期"],
                [world.hengxin.uscc, "许可证", "食品经营许可证", "JY1", "", "2027-06-30"],
            ],
        }
    )
    batch = imported(world, [book])
    assert any("新客户至少需要一位联系人" in p for p in problems(batch, 2))
    assert any("客户行有问题" in p for p in problems(batch, 2, "credentials"))
    assert batch.summary["credentials"] == {"new": 1, "update": 0, "same": 0, "refused": 1}
    assert not Client.objects.filter(uscc=NEW).exists()
    assert world.hengxin.credentials.get().number == "JY1"


def test_a_licence_file_without_dates_keeps_the_dates_known(world):
    imported(
        world,
        [
            csv_file(
                [
                    CRED_HEAD,
                    [
                        world.hengxin.uscc,
                        "许可证",
                        "食品经营许可证",
                        "JY1",
                        "2024-01-02",
                        "2027-06-30",
                    ],
                ],
                name="c.csv",
            )
        ],
    )
    # Another system's list: names and numbers, no dates at all.
    short = csv_file(
        [
            ["统一社会信用代码", "证照类别", "证照名称", "证照编号"],
            [world.hengxin.uscc, "许可证", "食品经营许可证", "JY1"],
        ],
        name="short.csv",
    )
    batch = imported(world, [short])
    assert batch.summary["credentials"]["same"] == 1
    # No number either: the same licence, found by its name, not a second one.
    nameless = csv_file(
        [
            ["统一社会信用代码", "证照类别", "证照名称", "有效期至"],
            [world.hengxin.uscc, "许可证", "食品经营许可证", ""],
        ],
        name="nameless.csv",
    )
    imported(world, [nameless])
    licence = world.hengxin.credentials.get()
    assert (licence.number, licence.issued_on, licence.expires_on) == (
        "JY1",
        dt.date(2024, 1, 2),
        dt.date(2027, 6, 30),
    )
    # 长期 says it out loud: the end date goes.
    open_ended = csv_file(
        [
            ["统一社会信用代码", "证照类别", "证照名称", "证照编号", "有效期至"],
            [world.hengxin.uscc, "许可证", "食品经营许可证", "JY1", "长期"],
        ],
        name="open.csv",
    )
    assert imported(world, [open_ended]).summary["credentials"]["update"] == 1
    licence.refresh_from_db()
    assert (licence.issued_on, licence.expires_on) == (dt.date(2024, 1, 2), None)


def test_one_person_given_twice_is_one_contact(world):
    book = xlsx_file(
        {
            "客户": [
                HEAD,
                ["上海甲有限公司", NEW, "", "", "王一", "", "13800138000", "wang@jia.example"],
            ],
            "联系人": [
                ["统一社会信用代码", "联系人", "手机号", "电子邮箱"],
                [NEW, "王一", "", "wang@jia.example"],
                [NEW, "李二", "13800138001", "li@jia.example"],
                [NEW, "李二", "", "li@jia.example"],
            ],
        }
    )
    batch = imported(world, [book])
    assert problems(batch, 2, "contacts") == ["与客户表第 2 行的联系人重复。"]
    assert problems(batch, 4, "contacts") == ["与第 3 行重复。"]
    names = sorted(ClientContact.objects.filter(client__uscc=NEW).values_list("name", flat=True))
    assert names == ["李二", "王一"]


@pytest.mark.parametrize("email", ["a@b..cn", "a@-b.cn", "a@b.c n"])
def test_an_address_the_product_would_refuse_is_refused_here_too(world, email):
    rows = [HEAD, ["上海甲有限公司", NEW, "", "", "王一", "", "", email]]
    batch = imported(world, [csv_file(rows)])
    assert "电子邮箱格式不正确。" in problems(batch, 2)
    assert not Client.objects.filter(uscc=NEW).exists()


def _truncated_xlsx() -> bytes:
    _name, data = xlsx_file(
        {"客户": [HEAD] + [["上海甲有限公司", NEW, "", "", "王一", "", "13800138000", ""]] * 50}
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body[: len(body) // 2]  # the sheet's XML stops mid-row
            dst.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("cut.xlsx", _truncated_xlsx(), "无法作为 Excel 文件读取"),
        (
            "long.csv",
            ",".join(HEAD).encode() + b"\r\n" + b'"' + b"x" * 200_000 + b'",1\r\n',
            "无法作为 CSV 文件读取",
        ),
    ],
)
def test_files_built_to_break_the_reader_are_refused(world, name, data, words):
    with pytest.raises(services.ValidationFailed) as exc:
        services.import_preview(actor=world.zhang, files=[(name, data)])
    assert words in exc.value.message
    assert not ImportBatch.objects.exists()


def test_nul_bytes_in_cells_are_named_and_nothing_is_imported(world):
    data = ",".join(HEAD).encode() + b"\r\n\x00\x00," + NEW.encode() + b",,,\x00,,13800138000,\r\n"
    batch = imported(world, [("nul.csv", data)])
    assert batch.summary["clients"]["refused"] == 1
    assert any("控制字符" in p for p in problems(batch, 2))
    assert not Client.objects.filter(uscc=NEW).exists()
