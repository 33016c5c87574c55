"""The rule expectations' GX configuration: built once per state of the fields, rebuilt on a change."""

from __future__ import annotations

from expectations.gx_expectations import ExpectStatutorySumsToHold


def test_configuration_is_built_once_and_again_when_a_field_changes():
    exp = ExpectStatutorySumsToHold(rule_id="T3-BAL", meta={"k": 1})
    first = exp.configuration
    assert exp.configuration is first  # GX asks ~28 times a validation: one object
    assert first.type == "expect_statutory_sums_to_hold" and first.kwargs["rule_id"] == "T3-BAL"
    assert first.meta == {"k": 1} and first.id is None

    exp.id = "6f1c2a4e-0000-4000-8000-000000000000"  # what adding it to a suite does
    exp.meta = {"k": 2}
    again = exp.configuration
    assert again is not first and again.id == exp.id and again.meta == {"k": 2}
    assert again.kwargs == first.kwargs
    fresh = ExpectStatutorySumsToHold(rule_id="T3-BAL", meta={"k": 2}, id=exp.id).configuration
    assert again.to_json_dict() == fresh.to_json_dict()
