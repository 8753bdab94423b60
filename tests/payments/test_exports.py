"""The pure payment-file writers: pain.001 against the official XSD, bank XLSX/CSV, post office."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from registry.payments.exports import files
from registry.payments.exports.lines import ExportHeader, ExportLine
from registry.payments.exports.pain001 import NAMESPACE, write_pain001
from registry.payments.exports.post_office import write_post_office_xlsx
from registry.payments.exports.tabular import (
    TEMPLATES,
    write_bank_csv,
    write_bank_xlsx,
)

NS = {"p": NAMESPACE}
VCB, BIDV, MB = "970436", "970418", "970422"

HEADER = ExportHeader(
    message_id="RUN-2026-08-0001",
    created_at=datetime(2026, 8, 25, 9, 30, tzinfo=timezone(timedelta(hours=7))),
    run_month=date(2026, 8, 1),
    debtor_name="PHONG VAN HOA XA HOI HUYEN A",
    debtor_account="3761000123456",
    debtor_bank_bin="970405",
    requested_execution_date=date(2026, 8, 28),
    initiating_party="UBND HUYEN A",
)


def line(n: int, **changes: object) -> ExportLine:
    base = ExportLine(
        end_to_end_id=f"PL-{n:08d}",
        person_name="Nguyễn Văn Đức",
        cccd="001085012345",
        commune_code="00001",
        commune_name="Phường Phúc Xá",
        household_code="HH-0001",
        programme="social_assistance",
        month_paid_for=date(2026, 8, 1),
        kind="regular",
        amount=500_000,
        channel="bank",
        bank_bin=VCB,
        account_number="0011004123456",
        account_holder=None,
    )
    return replace(base, **changes)


def bank_lines() -> list[ExportLine]:
    return [
        line(1, amount=500_000),
        line(2, amount=750_000, person_name="Trần Thị Ánh"),
        line(3, bank_bin=BIDV, amount=1_000_000),
        line(4, bank_bin=BIDV, amount=360_000, kind="arrears", month_paid_for=date(2026, 7, 1)),
        line(5, bank_bin=BIDV, amount=120_000),
        line(6, bank_bin=MB, channel="ewallet", amount=9_000_000, kind="funeral"),
    ]


@cache
def pain001_schema() -> etree.XMLSchema:
    xsd = resources.files("sepaxml").joinpath("schemas", "pain.001.001.09.xsd")
    with resources.as_file(xsd) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(content: bytes) -> etree._Element:
    doc = etree.fromstring(content)
    schema = pain001_schema()
    assert schema.validate(doc), schema.error_log
    return doc


# pain.001


def test_pain001_is_valid_against_the_official_xsd() -> None:
    assert_valid(write_pain001(HEADER, bank_lines()).content)


def test_pain001_counts_and_sums_at_message_and_bank_level() -> None:
    result = write_pain001(HEADER, bank_lines())
    doc = assert_valid(result.content)
    assert (result.count, result.total) == (6, 11_730_000)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "6"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "11730000"
    blocks = doc.findall("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=NS)
    summary = [
        (
            b.findtext("p:PmtInfId", namespaces=NS),
            b.findtext("p:NbOfTxs", namespaces=NS),
            b.findtext("p:CtrlSum", namespaces=NS),
            len(b.findall("p:CdtTrfTxInf", namespaces=NS)),
            {m.text for m in b.iterfind("p:CdtTrfTxInf//p:MmbId", namespaces=NS)},
        )
        for b in blocks
    ]
    assert summary == [
        (f"RUN-2026-08-0001-{VCB}", "2", "1250000", 2, {VCB}),
        (f"RUN-2026-08-0001-{BIDV}", "3", "1480000", 3, {BIDV}),
        (f"RUN-2026-08-0001-{MB}", "1", "9000000", 1, {MB}),
    ]
    assert {b.findtext("p:DbtrAgt//p:MmbId", namespaces=NS) for b in blocks} == {"970405"}


def test_pain001_pays_integer_vnd_to_an_unaccented_upper_case_name() -> None:
    doc = assert_valid(write_pain001(HEADER, bank_lines()).content)
    tx = doc.find(".//p:CdtTrfTxInf", namespaces=NS)
    amount = tx.find("p:Amt/p:InstdAmt", namespaces=NS)
    assert (amount.get("Ccy"), amount.text) == ("VND", "500000")
    assert tx.findtext("p:Cdtr/p:Nm", namespaces=NS) == "NGUYEN VAN DUC"
    assert tx.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "0011004123456"
    assert tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS) == "PL-00000001"
    assert tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS) == "TRO CAP XA HOI THANG 08/2026"
    arrears = doc.findall(".//p:CdtTrfTxInf", namespaces=NS)[3]
    assert arrears.findtext(".//p:Ustrd", namespaces=NS) == "TRUY LINH TRO CAP XA HOI THANG 07/2026"


def test_pain001_prefers_the_account_holder_name_and_truncates_to_140() -> None:
    long_holder = "Lê " * 100
    doc = assert_valid(write_pain001(HEADER, [line(1, account_holder=long_holder)]).content)
    name = doc.findtext(".//p:Cdtr/p:Nm", namespaces=NS)
    assert name.startswith("LE LE") and len(name) == 140


def test_pain001_refuses_a_post_office_line_naming_it() -> None:
    lines = [line(1), line(2, channel="post_office", bank_bin=None, account_number=None)]
    with pytest.raises(ValueError, match="PL-00000002"):
        write_pain001(HEADER, lines)


def test_pain001_refuses_a_bank_line_without_an_account_naming_it() -> None:
    with pytest.raises(ValueError, match="PL-00000007"):
        write_pain001(HEADER, [line(7, account_number=" ")])


def test_pain001_refuses_banks_out_of_order_and_one_shot_iterators() -> None:
    with pytest.raises(ValueError, match="not contiguous"):
        write_pain001(HEADER, [line(1), line(2, bank_bin=BIDV), line(3)])
    with pytest.raises(TypeError, match="re-iterable"):
        write_pain001(HEADER, iter(bank_lines()))


def test_pain001_refuses_a_naive_creation_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        write_pain001(replace(HEADER, created_at=datetime(2026, 8, 25, 9, 30)), bank_lines())


xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("&<>\"'"),
    min_size=1,
    max_size=140,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    person=st.text(alphabet=st.sampled_from("&<>\"'Đđ Aă;]]>"), min_size=1, max_size=40),
    debtor=xml_text,
    party=xml_text,
)
def test_pain001_escapes_xml_special_characters_and_stays_valid(
    person: str, debtor: str, party: str
) -> None:
    lines = [line(1, person_name=person + " An")]
    header = replace(HEADER, debtor_name=debtor, initiating_party=party)
    doc = assert_valid(write_pain001(header, lines).content)
    assert doc.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == debtor
    assert doc.findtext(".//p:InitgPty/p:Nm", namespaces=NS) == party
    assert doc.findtext(".//p:Cdtr/p:Nm", namespaces=NS).endswith("AN")


# bank XLSX / CSV


def read_xlsx(content: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.active.iter_rows(values_only=True))


def test_bank_xlsx_keeps_identifiers_as_text_with_leading_zeros() -> None:
    lines = [
        line(1, cccd="001085012345", account_number="0123456789012345678"),
        line(2, cccd="079190000001", account_number="0000000000001"),
    ]
    result = write_bank_xlsx(HEADER, lines, TEMPLATES["DEFAULT"], {VCB: "Vietcombank"})
    rows = read_xlsx(result.content)
    assert rows[0] == (
        "STT",
        "Họ và tên (KHÔNG DẤU)",
        "Số CCCD",
        "Số tài khoản",
        "Ngân hàng",
        "Số tiền",
        "Nội dung",
        "Mã giao dịch",
    )
    assert rows[1] == (
        1,
        "NGUYEN VAN DUC",
        "001085012345",
        "0123456789012345678",
        "Vietcombank",
        500000,
        "Trợ cấp xã hội tháng 08/2026",
        "PL-00000001",
    )
    assert rows[2][2:4] == ("079190000001", "0000000000001")
    assert all(isinstance(value, str) for row in rows[1:3] for value in row[2:4])


def test_bank_xlsx_formats_money_and_ends_with_a_totals_row() -> None:
    result = write_bank_xlsx(HEADER, bank_lines(), TEMPLATES["DEFAULT"])
    book = openpyxl.load_workbook(io.BytesIO(result.content))
    sheet = book.active
    assert sheet.cell(2, 6).number_format == "#,##0"
    assert isinstance(sheet.cell(2, 6).value, int)
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert (last[0], last[1], last[5]) == ("Tổng cộng", 6, 11_730_000)
    assert (result.count, result.total) == (6, 11_730_000)


def test_bank_xlsx_follows_a_per_bank_template() -> None:
    template = TEMPLATES["970405"]
    rows = read_xlsx(write_bank_xlsx(HEADER, [line(1)], template).content)
    assert rows[0][:3] == ("STT", "So tai khoan", "Ten chu tai khoan")
    assert rows[1][:5] == (
        1,
        "0011004123456",
        "NGUYEN VAN DUC",
        500000,
        "TRO CAP XA HOI THANG 08/2026",
    )
    assert len(rows) == 2  # this example template has no totals row


def test_bank_csv_has_a_bom_crlf_and_round_trips() -> None:
    lines = [*bank_lines(), line(9, person_name='O"Neil, An', account_number="0123456789012345678")]
    result = write_bank_csv(HEADER, lines, TEMPLATES["DEFAULT"])
    assert result.content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in result.content and b"\n" not in result.content.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(result.content.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "STT" and len(rows) == 8
    assert rows[1] == [
        "1",
        "NGUYEN VAN DUC",
        "001085012345",
        "0011004123456",
        VCB,
        "500000",
        "Trợ cấp xã hội tháng 08/2026",
        "PL-00000001",
    ]
    assert rows[7][1] == "O NEIL AN" and rows[7][3] == "0123456789012345678"
    assert (result.count, result.total) == (7, 12_230_000)


def test_bank_csv_uses_the_template_delimiter() -> None:
    result = write_bank_csv(HEADER, [line(1)], TEMPLATES[BIDV])
    rows = list(csv.reader(io.StringIO(result.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:4] == ["1", "NGUYEN VAN DUC", "0011004123456", "500000"]


def test_bank_files_refuse_a_post_office_line_naming_it() -> None:
    bad = [line(1), line(2, channel="post_office")]
    for writer in (write_bank_xlsx, write_bank_csv):
        with pytest.raises(ValueError, match="PL-00000002"):
            writer(HEADER, bad, TEMPLATES["DEFAULT"])


# post office


def post_lines() -> list[ExportLine]:
    cash = {"channel": "post_office", "bank_bin": None, "account_number": None}
    return [
        line(1, **cash, amount=500_000, cccd="001085000001"),
        line(2, **cash, amount=750_000, household_code=None, cccd=None),
        line(3, **cash, commune_code="00004", commune_name="Phường Trúc Bạch", amount=360_000),
        line(4, **cash, commune_code="00004", commune_name="Phường Trúc Bạch", amount=1_080_000,
             kind="arrears", month_paid_for=date(2026, 5, 1)),
        line(5, **cash, commune_code="00006", commune_name="Phường Vĩnh Phúc", amount=9_000_000,
             kind="funeral"),
    ]  # fmt: skip


def test_post_office_list_groups_by_commune_with_subtotals_and_a_grand_total() -> None:
    result = write_post_office_xlsx(HEADER, post_lines())
    rows = read_xlsx(result.content)
    assert rows[0][0] == "DANH SÁCH CHI TRẢ TRỢ CẤP THÁNG 08/2026"
    assert rows[2] == ("STT", "Họ và tên", "Số CCCD", "Mã hộ", "Nội dung", "Số tiền", "Ký nhận")
    communes = [r[0] for r in rows if r[0] and str(r[0]).startswith("Phường")]
    assert communes == [
        "Phường Phúc Xá (mã 00001)",
        "Phường Trúc Bạch (mã 00004)",
        "Phường Vĩnh Phúc (mã 00006)",
    ]
    totals = [(r[1], r[5]) for r in rows if r[1] and str(r[1]).startswith(("Cộng", "TỔNG"))]
    assert totals == [
        ("Cộng Phường Phúc Xá: 2 người", 1_250_000),
        ("Cộng Phường Trúc Bạch: 2 người", 1_440_000),
        ("Cộng Phường Vĩnh Phúc: 1 người", 9_000_000),
        ("TỔNG CỘNG: 5 người", 11_690_000),
    ]
    first = rows[4]
    assert first == (
        1, "Nguyễn Văn Đức", "001085000001", "HH-0001", "Trợ cấp xã hội tháng 08/2026",
        500000, None,
    )  # fmt: skip
    assert rows[5][2:4] == (None, None)  # no CCCD, no household code
    assert "Truy lĩnh trợ cấp xã hội tháng 05/2026" in {r[4] for r in rows}
    assert (result.count, result.total) == (5, 11_690_000)


def test_post_office_list_prints_landscape_a4_with_repeated_headers_and_a_wide_signature() -> None:
    sheet = openpyxl.load_workbook(
        io.BytesIO(write_post_office_xlsx(HEADER, post_lines()).content)
    ).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.column_dimensions["G"].width >= 25
    assert len(sheet.row_breaks.brk) == 2


def test_post_office_list_refuses_bank_lines_naming_them() -> None:
    with pytest.raises(ValueError, match="PL-00000001"):
        write_post_office_xlsx(HEADER, [line(1)])


def test_post_office_list_refuses_communes_out_of_order() -> None:
    lines = post_lines()
    with pytest.raises(ValueError, match="not contiguous"):
        write_post_office_xlsx(HEADER, [*lines, lines[0]])


# determinism


@pytest.mark.parametrize(
    "write",
    [
        lambda lines: write_pain001(HEADER, lines),
        lambda lines: write_bank_xlsx(HEADER, lines, TEMPLATES["DEFAULT"]),
        lambda lines: write_bank_csv(HEADER, lines, TEMPLATES["DEFAULT"]),
        lambda lines: write_post_office_xlsx(
            HEADER, [replace(x, channel="post_office") for x in lines]
        ),
    ],
    ids=["pain001", "bank-xlsx", "bank-csv", "post-xlsx"],
)
def test_every_format_gives_the_same_bytes_for_the_same_input(write) -> None:
    lines = [replace(x, commune_code=x.bank_bin) for x in bank_lines()]
    first = write(lines)
    again = write(list(lines))
    assert first.content == again.content and first.sha256 == again.sha256
    other = write([*lines[:-1], replace(lines[-1], amount=1)])
    assert other.sha256 != first.sha256


def test_xlsx_metadata_comes_from_the_header_not_the_clock() -> None:
    content = write_bank_xlsx(HEADER, bank_lines(), TEMPLATES["DEFAULT"]).content
    props = openpyxl.load_workbook(io.BytesIO(content)).properties
    assert props.created == datetime(2026, 8, 25, 2, 30)
    assert props.modified == datetime(2026, 8, 25, 2, 30)  # 09:30 at UTC+7, stored in UTC


# atomic writing


def test_write_atomically_writes_the_content(tmp_path: Path) -> None:
    target = tmp_path / "run.xml"
    files.write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["run.xml"]


def test_write_atomically_keeps_the_old_file_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.xml"
    target.write_bytes(b"old")

    def fail(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError, match="disk gone"):
        files.write_atomically(target, b"new content")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["run.xml"]


def test_write_atomically_leaves_no_partial_file_when_the_write_fails_half_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.xml"
    real_fsync = files.os.fsync

    def fail_after_write(fd: int) -> None:
        real_fsync(fd)
        raise OSError("killed half-way")

    monkeypatch.setattr(files.os, "fsync", fail_after_write)
    with pytest.raises(OSError, match="half-way"):
        files.write_atomically(target, b"x" * 100_000)
    assert os.listdir(tmp_path) == []
