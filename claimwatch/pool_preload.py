"""Imported by the worker pool's server process: loads the NLP model once, before workers fork."""

from extractors.pipeline import load_nlp

load_nlp()
