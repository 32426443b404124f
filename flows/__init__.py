"""claimwatch flows."""
