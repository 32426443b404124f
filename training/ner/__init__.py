"""Training of the shipped English pipeline (tagger, parser, NER)."""
