"""The pause points of registry/faults.py: inert unless named, never in production."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from registry.faults import checkpoint


@pytest.fixture()
def fault_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGISTRY_FAULT_DIR", str(tmp_path))
    monkeypatch.setenv("REGISTRY_FAULT_TIMEOUT", "5")
    monkeypatch.delenv("REGISTRY_ENV", raising=False)
    return tmp_path


def test_a_point_not_named_returns_at_once_and_leaves_no_trace(fault_dir, monkeypatch):
    monkeypatch.setenv("REGISTRY_FAULT_PAUSE", "another-point")
    checkpoint("unnamed-point")
    monkeypatch.delenv("REGISTRY_FAULT_PAUSE")
    checkpoint("unnamed-point")
    assert list(fault_dir.iterdir()) == []


def test_the_named_point_signals_its_pid_and_waits_for_the_resume_file(fault_dir, monkeypatch):
    monkeypatch.setenv("REGISTRY_FAULT_PAUSE", "named-point")
    (fault_dir / "named-point.resume").touch()  # resumed before it pauses: passes through
    checkpoint("named-point")
    assert (fault_dir / "named-point.paused").read_text() == str(os.getpid())
    (fault_dir / "named-point.paused").unlink()
    checkpoint("named-point")  # once resumed, a point never pauses again in this process
    assert not (fault_dir / "named-point.paused").exists()


def test_production_never_pauses(fault_dir, monkeypatch):
    monkeypatch.setenv("REGISTRY_FAULT_PAUSE", "production-point")
    monkeypatch.setenv("REGISTRY_ENV", "production")
    checkpoint("production-point")
    assert list(fault_dir.iterdir()) == []
