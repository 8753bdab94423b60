"""Labels of the people enums as English msgids, shown in the officer's language."""

from __future__ import annotations

from registry.i18n import N_
from registry.people.models import CircumstanceKind, DisabilityLevel, MeritCategory, Relation, Sex

SEX_LABELS = {Sex.MALE: N_("Male"), Sex.FEMALE: N_("Female")}

RELATION_LABELS = {
    Relation.HEAD: N_("Head of household"),
    Relation.WIFE: N_("Wife"),
    Relation.HUSBAND: N_("Husband"),
    Relation.CHILD: N_("Child"),
    Relation.GRANDCHILD: N_("Grandchild"),
    Relation.FATHER: N_("Father"),
    Relation.MOTHER: N_("Mother"),
    Relation.OLDER_BROTHER: N_("Older brother"),
    Relation.OLDER_SISTER: N_("Older sister"),
    Relation.YOUNGER_SIBLING: N_("Younger sibling"),
    Relation.OTHER: N_("Other"),
}

CIRCUMSTANCE_LABELS = {
    CircumstanceKind.DISABILITY: N_("Disability"),
    CircumstanceKind.PENSION: N_("Pension or monthly social-insurance benefit"),
    CircumstanceKind.HIV: N_("Living with HIV"),
    CircumstanceKind.STUDYING: N_("Studying"),
    CircumstanceKind.SINGLE_PARENT: N_("Single parent raising children"),
    CircumstanceKind.NO_SUPPORTER: N_("No one obliged to support them"),
    CircumstanceKind.TAKEN_IN_BY_CARER: N_("Taken in by a carer in the community"),
    CircumstanceKind.WITHOUT_SUPPORT: N_("Child without support"),
    CircumstanceKind.PREGNANCY: N_("Pregnancy"),
}

DISABILITY_LABELS = {
    DisabilityLevel.MILD: N_("Mild disability"),
    DisabilityLevel.SEVERE: N_("Severe disability"),
    DisabilityLevel.ESPECIALLY_SEVERE: N_("Especially severe disability"),
}

MERIT_LABELS = {
    MeritCategory.PRE1945_REVOLUTIONARY: N_("Revolutionary active before 1 January 1945"),
    MeritCategory.AUG1945_REVOLUTIONARY: N_(
        "Revolutionary active from 1 January 1945 to the August Revolution of 1945"
    ),
    MeritCategory.MARTYR_RELATIVE: N_("Martyr's relative"),
    MeritCategory.HEROIC_MOTHER: N_("Vietnamese Heroic Mother"),
    MeritCategory.WARTIME_HERO: N_("Hero of the armed forces or hero of labour in the resistance"),
    MeritCategory.WAR_INVALID: N_("War invalid"),
    MeritCategory.WAR_INVALID_CLASS_B: N_("War invalid class B"),
    MeritCategory.SICK_SOLDIER: N_("Sick soldier"),
    MeritCategory.AGENT_ORANGE: N_("Resistance fighter exposed to Agent Orange"),
    MeritCategory.FORMER_PRISONER: N_(
        "Revolutionary or resistance fighter imprisoned by the enemy"
    ),
    MeritCategory.RESISTANCE_PARTICIPANT: N_("Resistance fighter with a state award"),
    MeritCategory.REVOLUTION_HELPER: N_("Person who helped the revolution"),
}


def template_labels() -> dict[str, dict]:
    return {
        "SEX_LABELS": SEX_LABELS,
        "RELATION_LABELS": RELATION_LABELS,
        "CIRCUMSTANCE_LABELS": CIRCUMSTANCE_LABELS,
        "DISABILITY_LABELS": DISABILITY_LABELS,
        "MERIT_LABELS": MERIT_LABELS,
    }
