"""claimwatch evaluation."""
