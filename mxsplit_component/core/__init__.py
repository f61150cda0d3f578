"""The pure planning core: names, clouds, the MX plan and the rules. Imports no pulumi."""

from .plan import MxPlan, MxRecord, plan_mx
from .rules import RULES, RuleContext, RuleResult, run_rules, validate_plan, validation_report

__all__ = ["RULES", "MxPlan", "MxRecord", "RuleContext", "RuleResult", "plan_mx", "run_rules",
           "validate_plan", "validation_report"]
