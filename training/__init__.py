"""Training scripts for the models claimwatch ships."""
