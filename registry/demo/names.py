"""Invented Vietnamese names, addresses and ID numbers for the synthetic demo population."""

from __future__ import annotations

import random

from registry.people.models import Sex

#: Family names (họ) with rough weights; central Vietnam has more Võ, Huỳnh and Hồ.
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 34),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 5),
    ("Hoàng", 3),
    ("Huỳnh", 3),
    ("Phan", 5),
    ("Vũ", 2),
    ("Võ", 5),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 4),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Trương", 2),
    ("Đoàn", 1),
)
_MALE_MIDDLE_OLD = ("Văn", "Hữu", "Đức", "Công", "Đình", "Quang", "Ngọc", "Xuân", "Thanh")
_MALE_MIDDLE_YOUNG = ("Minh", "Đức", "Quốc", "Gia", "Bảo", "Anh", "Hoàng", "Thành", "Nhật", "Hữu")
_FEMALE_MIDDLE = (
    "Ngọc",
    "Thanh",
    "Thu",
    "Minh",
    "Bảo",
    "Khánh",
    "Phương",
    "Hoài",
    "Kim",
    "Mỹ",
    "Diệu",
    "Thảo",
)
#: Second middle name after "Thị" ("Lê Thị Thu Hà").
_AFTER_THI = ("Thu", "Minh", "Ngọc", "Kim", "Thanh", "Hồng", "Mỹ", "Bích")
_MALE_GIVEN_OLD = (
    "Hùng",
    "Dũng",
    "Sơn",
    "Hải",
    "Tuấn",
    "Thắng",
    "Lợi",
    "Bình",
    "Hòa",
    "Tâm",
    "Phúc",
    "Lộc",
    "Thọ",
    "Tùng",
    "Hiếu",
    "Nam",
    "Cường",
    "Hưng",
    "Thành",
    "Trung",
    "Toàn",
    "Vinh",
    "Định",
    "Châu",
    "Tín",
    "Nghĩa",
    "Quý",
    "Hạnh",
    "Chiến",
    "Thuận",
)
_MALE_GIVEN_YOUNG = (
    "Minh",
    "Khoa",
    "Huy",
    "Phát",
    "Bảo",
    "Khang",
    "Quân",
    "Nhật",
    "Đạt",
    "An",
    "Duy",
    "Long",
    "Kiên",
    "Trí",
    "Phong",
    "Hoàng",
    "Tuấn",
    "Nam",
    "Thịnh",
    "Lâm",
)
_FEMALE_GIVEN_OLD = (
    "Lan",
    "Hoa",
    "Mai",
    "Hồng",
    "Hương",
    "Nga",
    "Hạnh",
    "Thủy",
    "Hà",
    "Liên",
    "Cúc",
    "Đào",
    "Sen",
    "Lài",
    "Tuyết",
    "Thu",
    "Xuân",
    "Loan",
    "Phượng",
    "Yến",
    "Gái",
    "Bông",
    "Huệ",
    "Dung",
    "Tâm",
    "Lý",
    "Nhung",
    "Oanh",
)
_FEMALE_GIVEN_YOUNG = (
    "Linh",
    "Trang",
    "Ngọc",
    "Vy",
    "Anh",
    "Hân",
    "Nhi",
    "Thảo",
    "My",
    "Trâm",
    "Quỳnh",
    "Như",
    "Châu",
    "Uyên",
    "Khánh",
    "Giang",
    "Diệp",
    "Hiền",
    "Ly",
    "An",
)

#: Streets of Huế for ward addresses, and invented village names (thôn) for rural communes.
STREETS = (
    "Lê Lợi",
    "Hùng Vương",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hà Nội",
    "Bà Triệu",
    "Phan Đình Phùng",
    "Điện Biên Phủ",
    "Lê Duẩn",
    "Kim Long",
    "Nguyễn Sinh Cung",
    "Đống Đa",
    "Ngự Bình",
    "Trường Chinh",
    "Phạm Văn Đồng",
    "Tố Hữu",
    "An Dương Vương",
    "Nguyễn Trãi",
    "Chi Lăng",
    "Huỳnh Thúc Kháng",
    "Đặng Thái Thân",
    "Mai Thúc Loan",
    "Lý Thường Kiệt",
    "Ngô Quyền",
    "Xuân 68",
    "Bùi Thị Xuân",
    "Minh Mạng",
    "Hải Triều",
)
VILLAGES = (
    "Đông Di",
    "Diên Đại",
    "Lương Viện",
    "Ngọc Anh",
    "Thanh Lam",
    "Cự Lại",
    "Hà Thanh",
    "Mỹ Lợi",
    "Kế Sung",
    "Thủy Diện",
)
#: The one village treated as especially difficult (thôn đặc biệt khó khăn) in the demo.
DIFFICULT_VILLAGE = "Hà Thanh"

#: Province codes (digits 1–3 of a CCCD) of people born elsewhere who moved to Huế.
OTHER_PROVINCES = ("045", "044", "048", "049", "040", "042", "038", "001", "079", "051")
HUE = "046"


def family_name(rng: random.Random) -> str:
    names, weights = zip(*FAMILY_NAMES, strict=True)
    return rng.choices(names, weights)[0]


def full_name(rng: random.Random, family: str, sex: Sex, birth_year: int) -> str:
    """A name typical of the generation: older women are almost all "Thị", younger less so."""
    young = birth_year >= 1990
    if sex is Sex.FEMALE:
        thi_share = 0.92 if birth_year < 1975 else (0.7 if not young else 0.35)
        if rng.random() < thi_share:
            plain = birth_year < 1960 or rng.random() < 0.7
            middle = "Thị" if plain else f"Thị {rng.choice(_AFTER_THI)}"
        else:
            middle = rng.choice(_FEMALE_MIDDLE)
        given = rng.choice(_FEMALE_GIVEN_YOUNG if young else _FEMALE_GIVEN_OLD)
    else:
        if rng.random() < (0.2 if young else 0.55):
            middle = "Văn"
        else:
            middle = rng.choice(_MALE_MIDDLE_YOUNG if young else _MALE_MIDDLE_OLD)
        given = rng.choice(_MALE_GIVEN_YOUNG if young else _MALE_GIVEN_OLD)
    if given in middle.split():
        return full_name(rng, family, sex, birth_year)
    return f"{family} {middle} {given}"


def ward_address(rng: random.Random) -> str:
    """A ward address: a house on a street, or in an alley (kiệt, as Huế says), and its tổ."""
    street, group = rng.choice(STREETS), rng.randint(1, 24)
    if rng.random() < 0.65:
        return f"Số {rng.randint(1, 250)} đường {street}, tổ {group}"
    house, alley = f"{rng.randint(1, 40)}/{rng.randint(1, 30)}", rng.randint(2, 120)
    return f"Số {house} kiệt {alley} {street}, tổ {group}"


def village_address(rng: random.Random, village: str) -> str:
    if rng.random() < 0.35:
        return f"Số nhà {rng.randint(1, 180)}, thôn {village}"
    return f"Thôn {village}"


def cccd_number(rng: random.Random, sex: Sex, birth_year: int, province: str) -> str:
    """A structurally valid personal ID: PPP G YY RRRRRR (Decree 137/2015/NĐ-CP art. 13)."""
    digit = (birth_year // 100 - 19) * 2 + (1 if sex is Sex.FEMALE else 0)
    return f"{province}{digit}{birth_year % 100:02d}{rng.randrange(10**6):06d}"


def cmnd_number(rng: random.Random, province: str) -> str:
    """An old 9-digit CMND; Huế's began with 19, elsewhere any non-zero start."""
    head = "19" if province == HUE else str(rng.randint(10, 38))
    return f"{head}{rng.randrange(10**7):07d}"
