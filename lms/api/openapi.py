"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json."""

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_AUTH_ERRORS = {"401": {"description": "missing, invalid or revoked token",
                        "content": {"application/json": {"schema": _ERROR}}}}
_FILING = {
    "type": "object",
    "properties": {
        "filing_no": {"type": ["string", "null"]}, "officer_name": {"type": "string"},
        "status": {"type": "string", "enum": ["current", "replaced", "removed"]},
        "appointed_on": {"type": "string", "format": "date"},
        "ended_on": {"type": ["string", "null"], "format": "date"}, "claimed": {"type": "boolean"},
        "training_status": {"type": "string", "enum": ["trained", "in_progress", "not_started"]},
        "certificate": {"type": ["object", "null"]},
    },
    "required": ["officer_name", "status", "training_status"],
}
_ROW_FIELDS = ["filing_no", "enterprise_name", "uscc", "town", "industry_code", "industry", "size",
               "above_scale", "officer_name", "gender", "id_number", "education", "title", "position",
               "years_in_quality", "mobile", "email", "appointed_on", "filed_on", "status", "ended_on",
               "end_reason"]

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "CQO Academy registry API", "version": "1.0.0",
             "description": "Training coverage and status for the filing registry; roster pushes."},
    "servers": [{"url": "/"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/coverage": {"get": {
            "summary": "Coverage of the current program as of a date",
            "parameters": [{"name": "as_of", "in": "query", "required": False,
                            "schema": {"type": "string", "format": "date"}}],
            "responses": {
                "200": {"description": "coverage", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["filed", "trained", "coverage", "target", "deadline", "by_town"],
                    "properties": {"filed": {"type": "integer"}, "trained": {"type": "integer"},
                                   "coverage": {"type": "number"}, "target": {"type": "integer"},
                                   "deadline": {"type": "string", "format": "date"},
                                   "by_town": {"type": "array", "items": {"type": "object"}}}}}}},
                "400": {"description": "bad date", "content": {"application/json": {"schema": _ERROR}}},
                "409": {"description": "no current program", "content": {"application/json": {"schema": _ERROR}}},
                **_AUTH_ERRORS}}},
        "/api/v1/appointments": {"get": {
            "summary": "Enterprises with a current CQO filing (above-scale and SMEs)",
            "responses": {"200": {"description": "counts", "content": {"application/json": {"schema": {
                "type": "object", "required": ["above_scale", "above_scale_with_cqo", "sme", "sme_with_cqo"],
                "properties": {k: {"type": "integer"} for k in
                               ("above_scale", "above_scale_with_cqo", "sme", "sme_with_cqo")}}}}},
                **_AUTH_ERRORS}}},
        "/api/v1/enterprises/{uscc}": {"get": {
            "summary": "An enterprise's filings with training status",
            "parameters": [{"name": "uscc", "in": "path", "required": True, "schema": {
                "type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$",
                "description": "unified social credit code (GB 32100, check character verified)"}}],
            "responses": {
                "200": {"description": "enterprise", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["uscc", "name", "filings"],
                    "properties": {"uscc": {"type": "string"}, "name": {"type": "string"},
                                   "filings": {"type": "array", "items": _FILING}}}}}},
                "400": {"description": "invalid USCC", "content": {"application/json": {"schema": _ERROR}}},
                "404": {"description": "unknown enterprise", "content": {"application/json": {"schema": _ERROR}}},
                **_AUTH_ERRORS}}},
        "/api/v1/filings/{filing_no}": {"get": {
            "summary": "One filing's training status, by the registry's filing number",
            "parameters": [{"name": "filing_no", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "filing", "content": {"application/json": {"schema": _FILING}}},
                "404": {"description": "unknown filing", "content": {"application/json": {"schema": _ERROR}}},
                **_AUTH_ERRORS}}},
        "/api/v1/roster": {"post": {
            "summary": "Push roster changes (new or ended filings), validated as an import",
            "description": "An optional field that no row of the push sends leaves what stored filings hold "
                           "there (listed in absent_columns); sent empty or null, it clears it.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["rows"],
                "properties": {"dry_run": {"type": "boolean"},
                               "rows": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {
                                   "type": "object",
                                   "properties": {f: {"type": ["string", "integer", "null"]} for f in _ROW_FIELDS}}}}}}}},
            "responses": {
                "200": {"description": "applied (or previewed with dry_run)", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["counts", "errors"]}}}},
                "400": {"description": "malformed request", "content": {"application/json": {"schema": _ERROR}}},
                "413": {"description": "too many rows", "content": {"application/json": {"schema": _ERROR}}},
                "422": {"description": "rows with errors; nothing applied", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["errors"]}}}},
                **_AUTH_ERRORS}}},
    },
}
