"""Reading the bank's result files: CSV, XLSX and pain.002, whole or not at all."""

import io
import uuid

import openpyxl
import pytest

from registry.errors import ValidationError
from registry.payments.results import ResultRow, parse_results

A, B = uuid.UUID(int=1), uuid.UUID(int=2)


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(content, filename):
    with pytest.raises(ValidationError) as caught:
        parse_results(content, filename)
    return [p.render() for p in caught.value.problems]


def test_a_csv_with_bom_semicolons_and_vietnamese_headers_is_read():
    text = (
        "STT;Mã giao dịch;Số tiền;Trạng thái;Lý do\n"
        f"1;{A.hex};810.000;Thành công;\n"
        f"2;{B};1.620.000;Thất bại;Tài khoản không tồn tại\n"
        "\n"
        ";;2.430.000;;\n"
    )
    rows = parse_results(text.encode("utf-8-sig"), "ket-qua.csv")
    assert rows == [
        ResultRow(2, A.hex, True, 810_000, None),
        ResultRow(3, B.hex, False, 1_620_000, "Tài khoản không tồn tại"),
    ]


def test_a_csv_with_commas_english_headers_and_codes_is_read():
    text = f"end_to_end_id,status,amount\n{A.hex},00,810000\n{B.hex},RJCT,\n"
    rows = parse_results(text.encode(), "results.csv")
    assert [(r.end_to_end_id, r.paid, r.amount) for r in rows] == [
        (A.hex, True, 810_000),
        (B.hex, False, None),
    ]


def test_an_xlsx_with_a_title_above_the_header_is_read():
    content = xlsx(
        [
            ["KẾT QUẢ CHI TRẢ THÁNG 11/2026"],
            [],
            ["EndToEndId", "Số tiền", "TRANG THAI", "Ly do"],
            [A.hex, 810000, "success", None],
            [B.hex, 810000, "failed", "Sai tên chủ tài khoản"],
        ]
    )
    assert parse_results(content, "KQ.XLSX") == [
        ResultRow(4, A.hex, True, 810_000, None),
        ResultRow(5, B.hex, False, 810_000, "Sai tên chủ tài khoản"),
    ]


PAIN002 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-11-25T10:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>M1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>P1</OrgnlPmtInfId>
      <TxInfAndSts>
        <OrgnlEndToEndId>{a}</OrgnlEndToEndId>
        <TxSts>ACSC</TxSts>
        <OrgnlTxRef><Amt><InstdAmt Ccy="VND">810000</InstdAmt></Amt></OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>{b}</OrgnlEndToEndId>
        <TxSts>{status}</TxSts>
        <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Tài khoản đã đóng</AddtlInf></StsRsnInf>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""


def test_a_pain002_report_gives_paid_and_rejected_payments():
    content = PAIN002.format(a=A.hex, b=B.hex, status="RJCT").encode()
    assert parse_results(content, "pain002.xml") == [
        ResultRow(9, A.hex, True, 810_000, None),
        ResultRow(14, B.hex, False, None, "AC04: Tài khoản đã đóng"),
    ]


def test_a_pain002_with_a_status_that_is_not_final_is_refused():
    content = PAIN002.format(a=A.hex, b=B.hex, status="PDNG").encode()
    assert problems(content, "sts.xml") == [
        "sts.xml, line 14: status “PDNG” is neither paid nor failed."
    ]


def test_xml_entities_are_not_expanded():
    content = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Document><CstmrPmtStsRpt><OrgnlPmtInfAndSts><TxInfAndSts>"
        b"<OrgnlEndToEndId>&x;</OrgnlEndToEndId><TxSts>ACSC</TxSts>"
        b"</TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    )
    assert problems(content, "evil.xml") == ["evil.xml, line 1: no end-to-end id."]


def test_every_unreadable_row_is_reported_with_its_line_number():
    text = (
        "Mã giao dịch,Trạng thái,Số tiền\n"
        f"{A.hex},thành công,810000\n"
        ",thành công,810000\n"
        f"{B.hex},đang xử lý,810000\n"
        f"{B.hex},thành công,81.00.00\n"
    )
    assert problems(text.encode(), "kq.csv") == [
        "kq.csv, line 3: no end-to-end id.",
        "kq.csv, line 4: status “đang xử lý” is neither paid nor failed.",
        "kq.csv, line 5: amount “81.00.00” is not a whole number of VND.",
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"a;b\n1;2\n", "kq.csv", "kq.csv: no header row with an end-to-end id and a status."),
        (b"Ma giao dich;Trang thai\n", "kq.csv", "kq.csv holds no payment results."),
        (b"\xff\xfe\x00", "kq.csv", "kq.csv is not a UTF-8 CSV file."),
        (b"not a zip", "kq.xlsx", "kq.xlsx cannot be opened as an XLSX workbook."),
        (b"<Document>", "kq.xml", "kq.xml is not well-formed XML."),
        (b"<Document/>", "kq.xml", "kq.xml is not a pain.002 payment status report."),
        (b"x", "kq.pdf", "kq.pdf is not a CSV, XLSX or pain.002 file."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(content, filename, message):
    assert problems(content, filename) == [message]
