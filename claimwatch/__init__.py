"""claimwatch claimwatch."""
