"""Labels of the decision statuses as English msgids, shown in the officer's language."""

from __future__ import annotations

from registry.decisions.models import DecisionStatus
from registry.i18n import N_

STATUS_LABELS = {
    DecisionStatus.PROPOSED: N_("Proposed, awaiting appraisal"),
    DecisionStatus.APPRAISED: N_("Appraised, awaiting approval"),
    DecisionStatus.APPROVED: N_("Approved"),
    DecisionStatus.SUSPENDED: N_("Suspended"),
    DecisionStatus.ENDED: N_("Ended"),
    DecisionStatus.REJECTED: N_("Refused at appraisal"),
}
