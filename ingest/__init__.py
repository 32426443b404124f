"""claimwatch ingest."""
