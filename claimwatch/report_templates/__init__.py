"""Jinja2 templates of the static HTML report (package data, read by claimwatch.report)."""
