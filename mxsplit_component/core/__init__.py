"""The pure planning core: names, clouds, the MX plan, findings and the rules. Imports no pulumi."""

from .findings import Finding, RuleResult, Severity
from .plan import MxPlan, MxRecord, plan_mx
from .rules import RULES, RuleContext, run_rules, validate_plan, validation_report

__all__ = ["RULES", "Finding", "MxPlan", "MxRecord", "RuleContext", "RuleResult", "Severity", "plan_mx", "run_rules",
           "validate_plan", "validation_report"]
