"""Certificates: issuing, verification, revocation."""
