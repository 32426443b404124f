"""claimwatch extractors."""
