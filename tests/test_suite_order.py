"""The order the suite's files start in (tests/conftest.py): every file named to start first
exists, once, and a collection puts them first, in that order, each file's tests together."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LONGEST_FIRST, pytest_collection_modifyitems

pytestmark = pytest.mark.unit

TESTS = Path(__file__).parent


def test_ordering_names_only_test_files() -> None:
    assert LONGEST_FIRST
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
    for name in LONGEST_FIRST:
        assert (TESTS / name).is_file(), f"{name} is named in LONGEST_FIRST but is not in tests/"


class FakeItem:
    def __init__(self, file: str, name: str) -> None:
        self.path = TESTS / file
        self.name = name


def test_longest_files_start_first_and_stay_whole() -> None:
    first, second = LONGEST_FIRST[:2]
    items = [
        FakeItem("test_args.py", "a1"),
        FakeItem("test_args.py", "a2"),
        FakeItem(second, "s1"),
        FakeItem("test_schema.py", "c1"),
        FakeItem(first, "f1"),
        FakeItem(first, "f2"),
        FakeItem(second, "s2"),
    ]
    pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert [i.name for i in items] == ["f1", "f2", "s1", "s2", "a1", "a2", "c1"]
