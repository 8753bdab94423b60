"""Hand-built Reports for the writer tests: two Huế wards, three programmes, two review years."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from registry.reports.model import Indicator, MonthlyPaid, PovertyRow, Report

OFFICE = "UBND THÀNH PHỐ HUẾ / SỞ Y TẾ"
WARD_A, WARD_B = ("19789", "Phường Thuận Hóa"), ("19753", "Phường Phú Xuân")


def indicators() -> list[Indicator]:
    month = date(2026, 10, 1)
    return [
        Indicator(
            code="children_u36_assisted",
            title="Trẻ em dưới 36 tháng tuổi được hỗ trợ",
            definition="Trẻ em dưới 36 tháng tuổi thuộc hộ nghèo được trợ cấp hằng tháng.",
            numerator_label="Trẻ được hỗ trợ",
            denominator_label="Trẻ thuộc hộ nghèo",
            numerator=2,
            denominator=3,
            month=month,
            legal_basis="Nghị định 20/2021/NĐ-CP điều 5 khoản 1",
            target="Tất cả vào năm 2030",
        ),
        Indicator(
            code="merit_families_poor",
            title="Gia đình người có công thuộc hộ nghèo",
            definition="Gia đình người có công với cách mạng đang là hộ nghèo.",
            numerator_label="Gia đình thuộc hộ nghèo",
            denominator_label="Gia đình người có công",
            numerator=1,
            denominator=40,
            month=month,
            legal_basis="Nghị quyết 42-NQ/TW",
            target="Không còn vào năm 2030",
            lower_is_better=True,
        ),
        Indicator(
            code="elderly_pension",
            title="Người cao tuổi hưởng trợ cấp hưu trí xã hội",
            definition="Người từ đủ 75 tuổi không có lương hưu được trợ cấp.",
            numerator_label="Người được trợ cấp",
            denominator_label="Người từ đủ 75 tuổi",
            numerator=0,
            denominator=0,
            month=month,
            legal_basis="Luật Bảo hiểm xã hội 2024 điều 21",
        ),
    ]


def poverty() -> list[PovertyRow]:
    return [
        PovertyRow(*WARD_A, 2025, poor=40, near_poor=70, poor_before=None, near_poor_before=None),
        PovertyRow(*WARD_B, 2025, poor=25, near_poor=30, poor_before=31, near_poor_before=33),
        PovertyRow(*WARD_A, 2026, poor=32, near_poor=64, poor_before=40, near_poor_before=70),
        PovertyRow(*WARD_B, 2026, poor=27, near_poor=29, poor_before=25, near_poor_before=30),
    ]


def payments() -> list[MonthlyPaid]:
    rows = []
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1)):
        bump = month.month * 1_000
        for code, name in (WARD_A, WARD_B):
            rows += [
                MonthlyPaid(month, "social_assistance", code, name, 120, 60_000_000 + bump,
                            45_000_000, 59_000_000),
                MonthlyPaid(month, "social_pension", code, name, 80, 40_000_000, 40_000_000,
                            40_000_000),
            ]  # fmt: skip
        rows.append(
            MonthlyPaid(month, "merit", WARD_A[0], WARD_A[1], 15, 33_333_333, 0, 33_333_333)
        )
    # Outside the period: must count nowhere.
    rows.append(MonthlyPaid(date(2025, 12, 1), "merit", *WARD_B, 1, 999, 999, 999))
    return rows


def report(**changes) -> Report:
    full = Report(
        unit_code="46",
        unit_name="Thành phố Huế",
        office_name=OFFICE,
        month=date(2026, 10, 1),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 4, 1),
        generated_on=date(2026, 11, 29),
        indicators=indicators(),
        poverty=poverty(),
        payments=payments(),
        legal_basis=["Nghị quyết 42-NQ/TW ngày 24/11/2023", "Nghị định 20/2021/NĐ-CP"],
        annual_year=2026,
    )
    return replace(full, **changes)


def empty_report() -> Report:
    return report(indicators=[], poverty=[], payments=[], legal_basis=[])
