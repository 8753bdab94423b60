"""Deprivation indicators of the multidimensional poverty standard (chỉ số thiếu hụt)."""

from __future__ import annotations

from registry.i18n import N_

#: Decree 07/2021/NĐ-CP, 6 dimensions and 12 indicators, used for 2022–2026 (extended by
#: Decree 351/2025). The 2027–2030 set changes; add it as a new dated list when its text is read.
INDICATORS_2022: dict[str, str] = {
    "employment": N_("Employment"),
    "dependants": N_("Dependants in the household"),
    "nutrition": N_("Nutrition"),
    "health_insurance": N_("Health insurance"),
    "adult_education": N_("Adult education level"),
    "child_schooling": N_("Children's school attendance"),
    "housing_quality": N_("Housing quality"),
    "housing_area": N_("Floor area per person"),
    "water": N_("Domestic water source"),
    "latrine": N_("Hygienic latrine"),
    "telecom": N_("Use of telecommunication services"),
    "information_access": N_("Means of accessing information"),
}


def indicator_codes() -> set[str]:
    return set(INDICATORS_2022)
