"""Newsdesk's eval harness: run a suite through the real pipeline and measure it.

Public surface: ``run(suite_path, settings=None, ...) -> Report``; ``load_suite``; ``compare_reports``.
"""

from __future__ import annotations

from eval.compare import compare_reports
from eval.report import Report, load_report
from eval.runner import run
from eval.suite import Case, Suite, load_suite

__all__ = ["Case", "Report", "Suite", "compare_reports", "load_report", "load_suite", "run"]
