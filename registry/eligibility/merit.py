"""Monthly merit allowances: the published VND tables (Decree 75/2021 Appendices I-III as
amended), cumulative across categories (Ordinance 02/2020/UBTVQH14 art. 6(3))."""

from __future__ import annotations

from registry.eligibility.facts import MeritFact
from registry.eligibility.lawbook import MonthLaw, weakest
from registry.eligibility.results import MERIT, Consideration, Reason
from registry.eligibility.social_assistance import money
from registry.i18n import N_

LABELS = {
    "martyr_relative": N_("Relative of martyrs"),
    "heroic_mother": N_("Vietnamese Heroic Mother"),
    "wartime_hero": N_("Hero of the armed forces or Labour Hero of the resistance"),
    "war_invalid": N_("War invalid"),
    "war_invalid_class_b": N_("Class-B war invalid"),
    "sick_soldier": N_("Sick soldier"),
    "agent_orange": N_("Resistance fighter exposed to Agent Orange"),
    "pre1945_revolutionary": N_("Revolutionary active before 1 January 1945"),
    "aug1945_revolutionary": N_(
        "Revolutionary active from 1 January 1945 to the August Revolution"
    ),
    "former_prisoner": N_("Former prisoner of the enemy"),
    "resistance_participant": N_("Participant in the resistance"),
    "revolution_helper": N_("Person who helped the revolution"),
}

#: Rate bands of Appendix I for sick soldiers and Agent Orange fighters: (lowest rate, code).
BANDS = {
    "sick_soldier": (
        (91, "sick_soldier_91_100"),
        (81, "sick_soldier_81_90"),
        (71, "sick_soldier_71_80"),
        (61, "sick_soldier_61_70"),
        (51, "sick_soldier_51_60"),
        (41, "sick_soldier_41_50"),
    ),
    "agent_orange": (
        (81, "agent_orange_81plus"),
        (61, "agent_orange_61_80"),
        (41, "agent_orange_41_60"),
        (21, "agent_orange_21_40"),
    ),
}
#: Monthly supplement at 81% or more (phụ cấp), on top of the allowance.
SUPPLEMENT_81 = {
    "war_invalid": "war_invalid_81plus_supplement",
    "war_invalid_class_b": "war_invalid_81plus_supplement",
    "sick_soldier": "sick_soldier_81plus_supplement",
    "agent_orange": "agent_orange_81plus_supplement",
}
SIMPLE = {
    "wartime_hero": "wartime_hero",
    "aug1945_revolutionary": "aug1945_revolutionary",
    "former_prisoner": "prisoner",
}
MINIMUM_RATE = {
    "war_invalid": 21,
    "war_invalid_class_b": 21,
    "sick_soldier": 41,
    "agent_orange": 21,
}

R_ALLOWANCE = N_("Monthly allowance: %(amount)s.")
R_SUPPLEMENT = N_("Monthly supplement: %(amount)s.")
R_RATE = N_("Injury rate %(rate)d%%.")


def _codes(record: MeritFact, law: MonthLaw) -> tuple[list[str], list[Reason]] | Reason:
    """Table codes making up this record's monthly amount, or why there is none."""
    category, rate = record.category, record.injury_rate
    if category == "martyr_relative":
        martyrs = record.martyrs or 1
        code = (
            "martyr_relative_1"
            if martyrs == 1
            else "martyr_relative_2"
            if martyrs == 2
            else "martyr_relative_3plus"
        )
        return [code], [Reason(N_("Relative of %(martyrs)d martyr(s)."), {"martyrs": martyrs})]
    if category == "heroic_mother":
        return ["heroic_mother", "heroic_mother_supplement"], []
    if category in SIMPLE:
        return [SIMPLE[category]], []
    if category in MINIMUM_RATE:
        if rate is None:
            return Reason(N_("The injury rate is not recorded."))
        if rate < MINIMUM_RATE[category]:
            return Reason(
                N_(
                    "Injury rate %(rate)d%%: below %(minimum)d%% there is no monthly allowance "
                    "(one-off allowance only)."
                ),
                {"rate": rate, "minimum": MINIMUM_RATE[category]},
            )
        if category in BANDS:
            codes = [next(code for lowest, code in BANDS[category] if rate >= lowest)]
        else:
            codes = [f"{category}.by_rate"]
        if rate >= 81:
            codes.append(SUPPLEMENT_81[category])
        return codes, [Reason(R_RATE, {"rate": rate})]
    if category in ("pre1945_revolutionary", "revolution_helper"):
        return Reason(N_("The amount depends on a sub-category the registry does not record yet."))
    return Reason(N_("This category has no monthly allowance (one-off benefits only)."))


def merit_record(record: MeritFact, law: MonthLaw, explain: bool = True) -> Consideration:
    """One merit record's monthly amount for the month, from the tables in force."""
    group, label = f"merit.{record.category}", LABELS.get(record.category, record.category)
    found = _codes(record, law)
    if isinstance(found, Reason):
        return Consideration(MERIT, group, label, False, (found,))
    codes, reasons = found
    total, references, statuses = 0, [], []
    for code in codes:
        if code.endswith(".by_rate"):
            table = law.tables.get(f"merit.{code}")
            amount = None if table is None else table.value.get(record.injury_rate)
            reference, status = (table.reference, table.status) if table else ("", "")
        else:
            value = law.get(f"merit.{code}")
            amount = None if value is None else int(value.amount)
            reference, status = (value.reference, value.status) if value else ("", "")
        if amount is None:
            return Consideration(
                MERIT,
                group,
                label,
                False,
                (*reasons, Reason(N_("No merit table is in force for this month."))),
            )
        total += int(amount)
        item = R_SUPPLEMENT if code.endswith("supplement") else R_ALLOWANCE
        reasons.append(Reason(item, {"amount": money(int(amount))}))
        references.append(reference)
        statuses.append(status)
    return Consideration(
        MERIT,
        group,
        label,
        True,
        tuple(reasons) if explain else (),
        total,
        "; ".join(dict.fromkeys(references)),
        status=weakest(*statuses),
    )
