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


def test_a_refusal_lists_its_first_problems_then_how_many_more() -> None:
    from llmkeyvault_provider.errors import MAX_PROBLEMS_REPORTED, Problems

    problems = Problems()
    for i in range(MAX_PROBLEMS_REPORTED + 10):
        problems.add(f"readers[{i}]", "is refused")
    with pytest.raises(InvalidInput) as refused:
        problems.raise_if_any()
    assert len(refused.value.errors) == MAX_PROBLEMS_REPORTED
    assert refused.value.more == 10
    assert str(refused.value).endswith("; and 10 more problems")


def test_a_list_over_the_limit_is_refused_whole_before_its_items() -> None:
    from llmkeyvault_provider import rules
    from llmkeyvault_provider.plan import check_inputs

    listed = ["sk-test-not-a-principal"] * (rules.MAX_PRINCIPALS_PER_LIST + 1)
    with pytest.raises(InvalidInput) as refused:
        check_inputs("llm", {"providers": [{"name": "openai", "apiKey": "sk-test-x"}], "writers": listed})
    assert [e.path for e in refused.value.errors] == ["writers"]
    assert f"at most {rules.MAX_PRINCIPALS_PER_LIST}" in refused.value.errors[0].reason
