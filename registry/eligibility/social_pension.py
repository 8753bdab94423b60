"""Social pension (trợ cấp hưu trí xã hội) from July 2025: Law on Social Insurance 2024
art. 21-22 and Decree 176/2025/NĐ-CP."""

from __future__ import annotations

from registry.eligibility.facts import Poverty
from registry.eligibility.results import SOCIAL_PENSION, Consideration, Reason
from registry.eligibility.social_assistance import R_AGE, R_POOR_OR_NEAR, Ctx
from registry.i18n import N_

LABELS = {
    "sp.75plus": N_("Social pension: aged 75 or over without a pension"),
    "sp.70to74": N_(
        "Social pension: aged 70 to 75 in a poor or near-poor household without a pension"
    ),
}


def _no(ctx: Ctx, group: str, message: str) -> Consideration | None:
    if not ctx.explain:
        return None
    return Consideration(
        SOCIAL_PENSION,
        group,
        LABELS[group],
        False,
        (Reason(R_AGE, {"age": ctx.age}), Reason(message)),
    )


def social_pension(ctx: Ctx) -> Consideration | None:
    """Aged 75+, or 70-74 in a poor or near-poor household, with no pension or monthly
    social-insurance benefit: the national amount (or a higher local one). Paid from the
    month of the birthday."""
    amount = ctx.law.values.get("sp.amount")
    if amount is None:
        return _no(ctx, "sp.75plus", N_("The social pension starts in July 2025."))
    poor = ctx.household.poverty in (Poverty.POOR, Poverty.NEAR_POOR)
    if ctx.age >= ctx.limit("age.social_pension_from"):
        group, why = "sp.75plus", ()
    elif ctx.age >= ctx.limit("age.social_pension_poor_from") and poor:
        group, why = "sp.70to74", (R_POOR_OR_NEAR,)
    else:
        return _no(
            ctx,
            "sp.75plus",
            N_("Needs to be 75 or over, or 70 or over in a poor or near-poor household."),
        )
    if ctx.person.has_pension:
        return _no(ctx, group, N_("Receives a pension or monthly social-insurance benefit."))
    reasons: tuple[Reason, ...] = ()
    if ctx.explain:
        reasons = (
            Reason(R_AGE, {"age": ctx.age}),
            *(Reason(m) for m in why),
            Reason(N_("No pension or monthly social-insurance benefit.")),
        )
    return Consideration(
        SOCIAL_PENSION,
        group,
        LABELS[group],
        True,
        reasons,
        int(amount.amount),
        amount.reference,
        status=amount.status,
    )
