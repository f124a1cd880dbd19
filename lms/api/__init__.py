"""The JSON API for the filing registry (/api/v1), with bearer tokens."""
