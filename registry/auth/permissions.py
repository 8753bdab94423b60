"""Roles and the permissions each one grants, named ``scope:resource:action``."""

from enum import StrEnum

from registry.i18n import N_


class Permission(StrEnum):
    PERSON_READ = "people:person:read"
    PERSON_WRITE = "people:person:write"
    SENSITIVE_READ = "people:sensitive:read"
    CCCD_VIEW_MASKED = "identity:cccd:view"
    CCCD_REVEAL = "identity:cccd:reveal"
    HOUSEHOLD_READ = "households:household:read"
    HOUSEHOLD_WRITE = "households:household:write"
    POVERTY_WRITE = "households:poverty:write"
    AUDIT_READ = "audit:event:read"
    DECISION_READ = "decisions:decision:read"
    DECISION_PROPOSE = "decisions:decision:propose"
    DECISION_APPRAISE = "decisions:decision:appraise"
    DECISION_APPROVE = "decisions:decision:approve"
    PAYMENT_READ = "payments:run:read"
    PAYMENT_BUILD = "payments:run:build"
    PAYMENT_LOCK = "payments:run:lock"
    REPORT_READ = "reports:report:read"
    USER_MANAGE = "auth:user:manage"


class Role(StrEnum):
    ADMIN = "admin"
    LABOUR_OFFICER = "labour_officer"
    COMMUNE_OFFICER = "commune_officer"
    ACCOUNTANT = "accountant"
    AUDITOR = "auditor"
    LEADER = "leader"


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.LABOUR_OFFICER: N_("Labour office staff"),
    Role.COMMUNE_OFFICER: N_("Commune officer"),
    Role.ACCOUNTANT: N_("Accountant"),
    Role.AUDITOR: N_("Auditor"),
    Role.LEADER: N_("Leader"),
}

_READ = {
    Permission.PERSON_READ,
    Permission.HOUSEHOLD_READ,
    Permission.CCCD_VIEW_MASKED,
    Permission.DECISION_READ,
}
_WRITE = {Permission.PERSON_WRITE, Permission.HOUSEHOLD_WRITE, Permission.POVERTY_WRITE}

#: Who may do what. HIV status (Decree 20/2021 art. 8(1)(b): never posted publicly) is
#: visible only to the officers who handle the file; auditors, accountants and leaders see
#: neither it nor an unmasked CCCD.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # The labour office appraises and records decisions; communes only propose.
    Role.LABOUR_OFFICER: frozenset(
        _READ
        | _WRITE
        | {
            Permission.SENSITIVE_READ,
            Permission.CCCD_REVEAL,
            Permission.DECISION_PROPOSE,
            Permission.DECISION_APPRAISE,
            Permission.DECISION_APPROVE,
            Permission.REPORT_READ,
        }
    ),
    Role.COMMUNE_OFFICER: frozenset(
        _READ
        | _WRITE
        | {
            Permission.SENSITIVE_READ,
            Permission.CCCD_REVEAL,
            Permission.DECISION_PROPOSE,
            Permission.REPORT_READ,
        }
    ),
    # Accountants build, check and lock the monthly payment list.
    Role.ACCOUNTANT: frozenset(
        _READ
        | {
            Permission.PAYMENT_READ,
            Permission.PAYMENT_BUILD,
            Permission.PAYMENT_LOCK,
            Permission.REPORT_READ,
        }
    ),
    Role.AUDITOR: frozenset(
        _READ | {Permission.AUDIT_READ, Permission.PAYMENT_READ, Permission.REPORT_READ}
    ),
    # Leaders (lãnh đạo) read records, payment lists, reports and the audit trail only.
    Role.LEADER: frozenset(
        _READ | {Permission.PAYMENT_READ, Permission.REPORT_READ, Permission.AUDIT_READ}
    ),
}
