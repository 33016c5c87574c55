"""Shared fixtures: where the seeds and samples are (../shared beside the clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
SAMPLES = SHARED / "samples"


def seed_path(prefix: str) -> Path:
    """A seed file by its number prefix ("000" …), keeping the real file names out of test logic."""
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.fail(f"seed {prefix} not found under {SEEDS} (../shared must sit beside the clone)")
    return matches[0]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"{SEEDS} missing: CI puts ../shared beside the clone")
    return SEEDS
