"""The audit actions, named ``scope:resource:action``."""

from enum import StrEnum


class AuditAction(StrEnum):
    """Everything the registry records in its audit trail (nhật ký thao tác)."""

    LOGIN = "auth:session:login"
    LOGIN_FAILED = "auth:session:login_failed"
    LOGOUT = "auth:session:logout"
    ACCOUNT_LOCKED = "auth:user:lock"
    USER_CREATE = "auth:user:create"
    USER_UPDATE = "auth:user:update"
    UNITS_LOAD = "units:unit:load"
    HOUSEHOLD_CREATE = "households:household:create"
    HOUSEHOLD_UPDATE = "households:household:update"
    HOUSEHOLD_SET_HEAD = "households:household:set_head"
    POVERTY_SET = "households:poverty:set"
    PERSON_CREATE = "people:person:create"
    PERSON_UPDATE = "people:person:update"
    BIRTH_RECORD = "people:birth:record"
    DEATH_RECORD = "people:death:record"
    PERSON_MOVE = "people:person:move"
    PERSON_DEPART = "people:person:depart"
    PEOPLE_IMPORT = "people:import:run"
    CIRCUMSTANCE_ADD = "people:circumstance:add"
    CIRCUMSTANCE_END = "people:circumstance:end"
    MERIT_ADD = "people:merit:add"
    MERIT_END = "people:merit:end"
    ACCOUNT_SET = "payments:account:set"
    ACCOUNT_DECRYPT = "payments:account:decrypt"
    CCCD_LOOKUP = "identity:cccd:lookup"
    CCCD_DECRYPT = "identity:cccd:decrypt"
    KEYS_INIT = "identity:keys:init"
    KEYS_ROTATE = "identity:keys:rotate"
    KEYS_REENCRYPT = "identity:keys:reencrypt"
    DEMO_SEED = "demo:data:seed"
    DECISION_PROPOSE = "decisions:decision:propose"
    DECISION_APPRAISE = "decisions:decision:appraise"
    DECISION_REJECT = "decisions:decision:reject"
    DECISION_APPROVE = "decisions:decision:approve"
    DECISION_SUSPEND = "decisions:decision:suspend"
    DECISION_RESUME = "decisions:decision:resume"
    DECISION_END = "decisions:decision:end"
    RUN_BUILD = "payments:run:build"
    RUN_LOCK = "payments:run:lock"
    RUN_EXPORT = "payments:run:export"
    RUN_RECONCILE = "payments:run:reconcile"
    RUN_DOWNLOAD = "payments:run:download"
    TOKEN_CREATE = "auth:token:create"
    TOKEN_REVOKE = "auth:token:revoke"
    IMPORT_MAPPING_SAVE = "people:import_mapping:save"
    POVERTY_IMPORT = "households:poverty:import"
    PEOPLE_MERGE = "people:person:merge"
    BACKUP_CREATE = "backup:database:create"
    BACKUP_RESTORE = "backup:database:restore"


#: Audited reads: they change no data (a log-in, a CCCD or account shown, a file downloaded,
#: a backup taken). The last event of any other action, a new one included, tells whether
#: data may have changed (payments/queries.py remembers a run's subtotals by it). The partial
#: index ix_audit_events_changes (migration 0014) is defined by this list: change both.
READ_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOGOUT,
    AuditAction.CCCD_LOOKUP,
    AuditAction.CCCD_DECRYPT,
    AuditAction.ACCOUNT_DECRYPT,
    AuditAction.RUN_DOWNLOAD,
    AuditAction.BACKUP_CREATE,
)
