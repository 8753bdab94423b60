"""The audited reads named in code and in the partial index of migration 0014 are the same."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from registry.audit.actions import READ_ACTIONS, AuditAction
from registry.audit.models import CHANGES

MIGRATION = Path(__file__).parents[2] / "migrations/versions/0014_audit_chain_head.py"


def test_the_index_predicate_lists_exactly_the_read_actions():
    spec = importlib.util.spec_from_file_location("m0014", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.READS) == {a.value for a in READ_ACTIONS}
    assert module.CHANGES == CHANGES


def test_no_action_that_changes_data_is_called_a_read():
    # A new action counts as a change unless someone decides otherwise.
    assert AuditAction.RUN_RECONCILE not in READ_ACTIONS
    assert AuditAction.ACCOUNT_SET not in READ_ACTIONS
    assert AuditAction.PEOPLE_MERGE not in READ_ACTIONS
