"""Custom Great Expectations (1.x) metric and expectations for the statutory rules.

One metric, ``nianbao.rule_outcomes`` (value key ``rule_id``), evaluates one catalogue rule over the
whole batch frame (all reports) and returns the per-(report, instance) outcomes. One expectation per
rule is configured in the suite; the expectation classes differ by rule family so that Data Docs name
what is checked. Renderers live in the class bodies (GX does not pick up renderers added later).

Import this module before loading a suite: GX silently drops expectations of unregistered types.
"""

from __future__ import annotations

import operator
from typing import Any, ClassVar

from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider
from great_expectations.render import (
    LegacyDiagnosticRendererType,
    LegacyRendererType,
    RenderedStringTemplateContent,
)
from great_expectations.render.renderer.renderer import renderer
from pydantic.v1 import PrivateAttr

from expectations.catalog import rule_by_id
from expectations.evaluate import evaluate_rule
from expectations.frame import frame_arrays
from expectations.messages import observed_lines

METRIC = "nianbao.rule_outcomes"


class RuleOutcomes(TableMetricProvider):
    """Outcomes of one catalogue rule for every report of the batch (see expectations.evaluate)."""

    metric_name = METRIC
    value_keys = ("rule_id",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics,
                runtime_configuration):
        df, _, _ = execution_engine.get_compute_domain(metric_domain_kwargs,
                                                       domain_type=MetricDomainTypes.TABLE)
        return evaluate_rule(metric_value_kwargs["rule_id"], frame_arrays(df))


def _string(template: str, params: dict[str, Any], tag: str = "span") -> RenderedStringTemplateContent:
    return RenderedStringTemplateContent(
        content_block_type="string_template",
        string_template={"template": template, "params": params, "tag": tag,
                         "styling": {"params": {k: {"classes": ["nb-param"]} for k in params}}},
    )


class _RuleExpectation(BatchExpectation):
    """Base: the rule given by ``rule_id`` holds for every report of the batch."""

    rule_id: str
    metric_dependencies: ClassVar[tuple[str, ...]] = (METRIC,)
    success_keys: ClassVar[tuple[str, ...]] = ("rule_id",)
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "row_condition", "condition_parser")
    _configuration: tuple[tuple[Any, ...], Any] | None = PrivateAttr(default=None)

    @property
    def configuration(self) -> Any:
        """GX's ``configuration`` builds a new ``ExpectationConfiguration`` from the model's fields on each
        of the ~28 calls a validation makes per expectation (40 % of a batch's validation time): built
        again here only when a field was given another value (the values are kept, so none of them
        can be freed and another take its place unseen)."""
        values = tuple(self.__dict__.values())
        cached = self._configuration
        if cached is None or len(cached[0]) != len(values) or not all(map(operator.is_, cached[0], values)):
            cached = self._configuration = (values, super().configuration)
        return cached[1]

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None):
        out = metrics[METRIC]
        bad = out["violations"] + out["unverifiable"] + out["not_checked"]
        return {
            "success": bad == 0,
            "result": {
                "observed_value": {k: out[k] for k in ("reports", "items", "passes", "violations",
                                                        "unverifiable", "not_checked")},
                "details": {"rule": out["rule"], "entries": out["entries"]},
            },
        }

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        cfg = configuration or (result.expectation_config if result else None)
        rid = cfg.kwargs.get("rule_id") if cfg else None
        if not rid:
            return [_string("$text", {"text": "statutory rule (no rule id)"})]
        rule = rule_by_id(rid)
        sev = {"fail": "不符合即失败 · fail", "warn": "提示 · warn", "info": "信息 · info"}[rule.severity]
        return [_string("$rule（$severity）：$zh — $en。公式 / formula：$formula",
                        {"rule": rule.id, "severity": sev, "zh": rule.title_zh, "en": rule.title_en,
                         "formula": rule.formula})]

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.OBSERVED_VALUE)
    def _diagnostic_observed_value_renderer(cls, configuration=None, result=None, runtime_configuration=None,
                                            **kwargs):
        if result is None or not result.result:
            return "--"
        cfg = configuration or result.expectation_config
        lines = observed_lines(cfg.kwargs.get("rule_id"), result.result)
        params = {f"l{i}": line for i, line in enumerate(lines)}
        return _string("<br>".join(f"${k}" for k in params), params, tag="div")


class ExpectStatutorySumsToHold(_RuleExpectation):
    """A linear rule of the statutory tables (a total equals, or bounds, the sum of its parts)."""


class ExpectZeroRequestsToHaveNoResults(_RuleExpectation):
    """Table 三: a column with no new and no carried-over requests has no results (T3-ZERO)."""


class ExpectCellValuesInDomain(_RuleExpectation):
    """Cell values lie in the statutory domain (non-negative integers, non-negative amounts, one sign)."""


class ExpectTotalCellsFilled(_RuleExpectation):
    """A total cell is filled whenever its parts are not all zero."""


class ExpectReportStructure(_RuleExpectation):
    """Report-level structure: sections, tables present, format generation, table 三 layout, local rows,
    statistics period."""


class ExpectRulesOnlyFromRuleMakingBodies(_RuleExpectation):
    """Table 二: the 规章 row is 0 or "/" for a body without rule-making power (T2-REG-AUTH)."""


EXPECTATION_FOR_CHECK: dict[str, type[_RuleExpectation]] = {
    "linear": ExpectStatutorySumsToHold,
    "zero_implies": ExpectZeroRequestsToHaveNoResults,
    "domain": ExpectCellValuesInDomain,
    "flag": ExpectCellValuesInDomain,
    "blank_total": ExpectTotalCellsFilled,
    "report": ExpectReportStructure,
    "authority": ExpectRulesOnlyFromRuleMakingBodies,
}
