"""claimwatch demo."""
