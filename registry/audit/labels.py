"""Human labels for audit actions and event details, as English msgids (shown in Vietnamese)."""

from __future__ import annotations

import re
from typing import Any

from registry.audit.actions import AuditAction
from registry.i18n import N_

ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.LOGIN: N_("Logged in"),
    AuditAction.LOGIN_FAILED: N_("Failed log-in"),
    AuditAction.LOGOUT: N_("Logged out"),
    AuditAction.ACCOUNT_LOCKED: N_("Account locked"),
    AuditAction.USER_CREATE: N_("User created"),
    AuditAction.USER_UPDATE: N_("User changed"),
    AuditAction.UNITS_LOAD: N_("Administrative units loaded"),
    AuditAction.HOUSEHOLD_CREATE: N_("Household registered"),
    AuditAction.HOUSEHOLD_UPDATE: N_("Household changed"),
    AuditAction.HOUSEHOLD_SET_HEAD: N_("Head of household changed"),
    AuditAction.POVERTY_SET: N_("Poverty status recorded"),
    AuditAction.PERSON_CREATE: N_("Person registered"),
    AuditAction.PERSON_UPDATE: N_("Personal details corrected"),
    AuditAction.BIRTH_RECORD: N_("Birth recorded"),
    AuditAction.DEATH_RECORD: N_("Death recorded"),
    AuditAction.PERSON_MOVE: N_("Moved to another household"),
    AuditAction.PERSON_DEPART: N_("Moved to another commune"),
    AuditAction.PEOPLE_IMPORT: N_("People imported from a file"),
    AuditAction.CIRCUMSTANCE_ADD: N_("Circumstance recorded"),
    AuditAction.CIRCUMSTANCE_END: N_("Circumstance ended"),
    AuditAction.MERIT_ADD: N_("Merit record added"),
    AuditAction.MERIT_END: N_("Merit record ended"),
    AuditAction.ACCOUNT_SET: N_("Payment account set"),
    AuditAction.ACCOUNT_DECRYPT: N_("Account number viewed"),
    AuditAction.CCCD_LOOKUP: N_("Search by CCCD"),
    AuditAction.CCCD_DECRYPT: N_("ID number viewed"),
    AuditAction.KEYS_INIT: N_("Encryption keys created"),
    AuditAction.KEYS_ROTATE: N_("Encryption keys rotated"),
    AuditAction.KEYS_REENCRYPT: N_("Data re-encrypted"),
    AuditAction.DEMO_SEED: N_("Demo data created"),
    AuditAction.DECISION_PROPOSE: N_("Benefit proposed"),
    AuditAction.DECISION_APPRAISE: N_("Benefit appraised"),
    AuditAction.DECISION_REJECT: N_("Benefit proposal refused"),
    AuditAction.DECISION_APPROVE: N_("Benefit decision recorded"),
    AuditAction.DECISION_SUSPEND: N_("Benefit suspended"),
    AuditAction.DECISION_RESUME: N_("Benefit resumed"),
    AuditAction.DECISION_END: N_("Benefit ended"),
    AuditAction.RUN_BUILD: N_("Payment list built"),
    AuditAction.RUN_LOCK: N_("Payment list locked"),
    AuditAction.RUN_EXPORT: N_("Payment file exported"),
    AuditAction.RUN_RECONCILE: N_("Bank results reconciled"),
    AuditAction.RUN_DOWNLOAD: N_("Payment file downloaded"),
    AuditAction.TOKEN_CREATE: N_("API token created"),
    AuditAction.TOKEN_REVOKE: N_("API token revoked"),
    AuditAction.IMPORT_MAPPING_SAVE: N_("Import column mapping saved"),
    AuditAction.POVERTY_IMPORT: N_("Poverty review list imported"),
    AuditAction.PEOPLE_MERGE: N_("Duplicate records merged"),
    AuditAction.BACKUP_CREATE: N_("Database backed up"),
    AuditAction.BACKUP_RESTORE: N_("Database restored from a backup"),
}

#: Labels of the detail keys services write; other keys are shown as they are.
DETAIL_LABELS: dict[str, str] = {
    "address": N_("Address"),
    "code": N_("Household code"),
    "commune": N_("Commune/ward"),
    "household": N_("Household"),
    "relation": N_("Relation to head"),
    "has_cccd": N_("Has a CCCD"),
    "cccd_override": N_("CCCD accepted with a reason"),
    "birth_date": N_("Date of birth"),
    "died_on": N_("Date of death"),
    "reference": N_("Reference"),
    "was_head": N_("Was head of household"),
    "fields": N_("Fields changed"),
    "from_household": N_("From household"),
    "to_household": N_("To household"),
    "from_commune": N_("From commune"),
    "to_commune": N_("To commune"),
    "on": N_("On"),
    "kind": N_("Kind"),
    "started_on": N_("Start date"),
    "ended_on": N_("End date"),
    "disability_level": N_("Disability level"),
    "category": N_("Category"),
    "injury_rate": N_("Injury rate"),
    "martyrs": N_("Number of martyrs"),
    "review_year": N_("Review year"),
    "status": N_("Status"),
    "valid_from": N_("Valid from"),
    "created": N_("New record"),
    "purpose": N_("Purpose"),
    "field": N_("Field"),
    "found": N_("Found"),
    "reason": N_("Reason"),
    "failures": N_("Failures in a row"),
    "until": N_("Until"),
    "username": N_("Username"),
    "role": N_("Role"),
    "unit": N_("Unit"),
    "import": N_("From an import file"),
    "source": N_("File"),
    "rows": N_("Rows"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "skipped": N_("Skipped"),
    "households_created": N_("Households created"),
    "people_created": N_("People created"),
    "rejected_rows": N_("Rows rejected"),
    "suspected_duplicates": N_("Suspected duplicates"),
    "on_duplicate": N_("Registered CCCD"),
    "pension": N_("Pension"),
    "bank_bin": N_("Bank"),
    "token_name": N_("Token name"),
    "review_years": N_("Review years"),
    "merged_into": N_("Merged into"),
    "merged_from": N_("Merged from"),
    "circumstances": N_("Circumstances moved"),
    "merit_records": N_("Merit records moved"),
    "payment_accounts": N_("Payment accounts moved"),
    "decisions": N_("Benefit decisions moved"),
    "payment_lines": N_("Payment lines moved"),
    "cccd_moved": N_("CCCD moved to the kept record"),
    "household_moved": N_("Household membership moved"),
    "accounts_deactivated": N_("Payment accounts deactivated"),
    "columns": N_("Columns mapped"),
    "backup_file": N_("Backup file"),
    "backup_created_at": N_("Backup made at"),
    "people_count": N_("Number of people"),
    "households_count": N_("Households"),
    "decisions_count": N_("Benefit decisions"),
    "payment_lines_count": N_("Payment lines"),
    "payment_total": N_("Total of the payment lines (VND)"),
    "audit_events_count": N_("Audit events verified"),
    "database_revision": N_("Database revision"),
    "client_address": N_("Client address"),
}

#: Labels of values the services write that are codes rather than words.
VALUE_LABELS: dict[str, str] = {
    "display_masked": N_("masked on screen"),
    "display_full": N_("full number shown"),
    "export": N_("export"),
    "sensitive": N_("sensitive information"),
    "unknown_user": N_("unknown username"),
    "bad_password": N_("wrong password"),
    "locked": N_("account locked"),
    "inactive": N_("account disabled"),
    "address_throttled": N_("too many failed log-ins from this address"),
    "idle": N_("no activity for too long"),
    "session_limit": N_("session too long"),
    "cccd": "CCCD",
    "cmnd": "CMND",
}

#: Identifiers of other rows: useful to an investigator with database access, noise on screen.
_HIDDEN_KEYS = frozenset({"head", "previous", "circumstance", "merit_record", "account"})
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _value_labels() -> dict[str, str]:
    # Imported late: the enum labels belong to the people and household pages.
    from registry.households.views import AREA_LABELS, POVERTY_LABELS
    from registry.people.views.labels import (
        CIRCUMSTANCE_LABELS,
        DISABILITY_LABELS,
        MERIT_LABELS,
        RELATION_LABELS,
    )

    labels = {
        str(k): v
        for group in (
            POVERTY_LABELS,
            AREA_LABELS,
            CIRCUMSTANCE_LABELS,
            DISABILITY_LABELS,
            MERIT_LABELS,
            RELATION_LABELS,
        )
        for k, v in group.items()
    }
    return {**labels, **VALUE_LABELS}


def _text(value: Any, labels: dict[str, str]) -> tuple[str, bool]:
    if isinstance(value, bool):
        return ("✓" if value else "✗"), False
    text = str(value)
    if text in labels:
        return labels[text], True
    if _ISO_DAY.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}", False
    return text, False


def detail_items(details: dict[str, Any] | None) -> list[tuple[str, str, bool]]:
    """(label msgid or raw key, value text, whether the value is a msgid) for an event's details.

    Details never hold a plaintext identifier (the services guarantee it), so showing them
    is harmless; a list of two addresses is shown as a change ``old → new``.
    """
    labels = _value_labels()
    items = []
    for key, value in sorted((details or {}).items()):
        if key in _HIDDEN_KEYS or value is None:
            continue
        if isinstance(value, list):
            joiner = " → " if key == "address" else ", "
            items.append((DETAIL_LABELS.get(key, key), joiner.join(str(v) for v in value), False))
        else:
            items.append((DETAIL_LABELS.get(key, key), *_text(value, labels)))
    return items
