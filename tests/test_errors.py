"""Problems: one reason per field, and whether a field or anything inside it was refused."""

import pytest
from llmkeyvault_provider.errors import InvalidInput, Problems

pytestmark = pytest.mark.unit


def test_a_field_keeps_its_first_reason() -> None:
    problems = Problems()
    problems.add("providers[0].name", "first")
    problems.add("providers[0].name", "second")
    with pytest.raises(InvalidInput) as caught:
        problems.raise_if_any()
    assert [(e.path, e.reason) for e in caught.value.errors] == [("providers[0].name", "first")]


def test_has_is_true_for_the_field_and_every_field_it_lies_in() -> None:
    problems = Problems()
    problems.add("providers[3].readers[2]", "refused")
    for inside in ("providers", "providers[3]", "providers[3].readers", "providers[3].readers[2]"):
        assert problems.has(inside), inside
    for other in ("provider", "providers[30]", "providers[3].reader", "providers[3].name", "readers", ""):
        assert not problems.has(other), other
