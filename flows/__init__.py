"""Prefect flows: one deployable flow per module."""
