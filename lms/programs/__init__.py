"""Training programs: what 'trained' means, and who has completed what."""
