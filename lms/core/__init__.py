"""What every domain uses: model mixins, audit log, role checks, security headers."""
