"""`llmkeyvault audit`: who can read each LLM key in a Databricks workspace right now, and why."""

from llmkeyvault_audit.model import REPORT_VERSION, Access, Finding, KeyReport, Reference, Report, Severity

__all__ = ["REPORT_VERSION", "Access", "Finding", "KeyReport", "Reference", "Report", "Severity"]
