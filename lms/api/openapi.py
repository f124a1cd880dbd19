"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json."""

_ERROR = {"type": "object", "properties": {"error": {"type": "string", "description": "an English sentence"}},
          "required": ["error"]}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_AUTH_ERRORS = {"401": _error("missing, invalid or revoked token")}
_AS_OF = {"name": "as_of", "in": "query", "required": False,
          "description": "the date to answer for, YYYY-MM-DD, not later than today (400 otherwise); default today",
          "schema": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}
_FILING_PROPERTIES = {
    "filing_no": {"type": ["string", "null"]}, "officer_name": {"type": "string"},
    "status": {"type": "string", "enum": ["current", "replaced", "removed"],
               "description": "the filing's status now, whatever as_of"},
    "appointed_on": {"type": "string", "format": "date"},
    "ended_on": {"type": ["string", "null"], "format": "date"}, "claimed": {"type": "boolean"},
    "training_status": {"type": "string", "enum": ["trained", "in_progress", "not_started"],
                        "description": "on as_of, by the rules /coverage counts with"},
    "certificate": {"type": ["object", "null"], "description": "the certificate in force on as_of",
                    "properties": {"serial": {"type": "string"}, "issued_on": {"type": "string", "format": "date"},
                                   "expires_on": {"type": "string", "format": "date"}}},
}
_FILING = {"type": "object", "properties": _FILING_PROPERTIES,
           "required": ["officer_name", "status", "training_status"]}
_LISTED_FILING = {
    "type": "object",
    "properties": {**_FILING_PROPERTIES, "id": {"type": "integer"}, "uscc": {"type": "string"},
                   "enterprise_name": {"type": "string"}, "town": {"type": "string"}},
    "required": ["id", "uscc", "enterprise_name", "town", "officer_name", "status", "training_status"],
}
_ROW_FIELDS = ["filing_no", "enterprise_name", "uscc", "town", "industry_code", "industry", "size",
               "above_scale", "officer_name", "gender", "id_number", "education", "title", "position",
               "years_in_quality", "mobile", "email", "appointed_on", "filed_on", "status", "ended_on",
               "end_reason"]
_DATE_FIELDS = ("appointed_on", "filed_on", "ended_on")
_ROW = {"type": "object", "additionalProperties": False, "properties": {
    f: {"type": ["string", "null"], "description": "YYYY-MM-DD"} if f in _DATE_FIELDS
    else {"type": ["string", "integer", "null"]} for f in _ROW_FIELDS}}
_PUSH_RESULT = {"type": "object", "required": ["counts", "errors"], "properties": {
    "total_rows": {"type": "integer"}, "valid_rows": {"type": "integer"}, "can_commit": {"type": "boolean"},
    "committed": {"type": "boolean", "description": "false for a dry run or a refused push"},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "absent_columns": {"type": "array", "items": {"type": "string"},
                       "description": "the optional fields no row sent: stored filings keep what they hold there"},
    "errors": {"type": "array", "items": {"type": "object", "properties": {
        "index": {"type": ["integer", "null"], "description": "the row's 0-based position in rows"},
        "column": {"type": "string", "description": "the field, or empty for the whole row"},
        "message": {"type": "string", "description": "in Chinese, as an import says it; rows cited as rows[i]"}}}}}}
# A 422 is an error like any other ({"error": ...}) that also carries the preview, row by row.
_PUSH_REFUSED = _PUSH_RESULT | {
    "required": ["error", "committed", "counts", "errors"],
    "properties": _PUSH_RESULT["properties"] | {
        "error": {"type": "string", "description": "an English sentence: how many rows are wrong, nothing written"},
        "committed": {"type": "boolean", "const": False}}}
_ARGUMENT_ERRORS = "an unknown or repeated query parameter"

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "CQO Academy registry API", "version": "1.0.0",
             "description": "Training coverage and status for the filing registry; roster pushes. Every "
                            "error, whatever its status, is {\"error\": \"<English sentence>\"} with optional "
                            "fields. A query parameter an operation does not list, or one given twice, is "
                            "refused (400)."},
    "servers": [{"url": "/"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/coverage": {"get": {
            "summary": "Coverage of the current program as of a date",
            "parameters": [_AS_OF],
            "responses": {
                "200": {"description": "coverage", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["filed", "trained", "coverage", "target", "deadline", "by_town"],
                    "properties": {"filed": {"type": "integer"}, "trained": {"type": "integer"},
                                   "coverage": {"type": "number", "description": "percent"},
                                   "target": {"type": "integer"},
                                   "deadline": {"type": "string", "format": "date"},
                                   "by_town": {"type": "array", "items": {"type": "object"}}}}}}},
                "400": _error(f"bad as_of, or {_ARGUMENT_ERRORS}"),
                "409": _error("no current program"),
                **_AUTH_ERRORS}}},
        "/api/v1/appointments": {"get": {
            "summary": "Enterprises with a current CQO filing (above-scale and SMEs), on today's roster",
            "responses": {"200": {"description": "counts", "content": {"application/json": {"schema": {
                "type": "object", "required": ["above_scale", "above_scale_with_cqo", "sme", "sme_with_cqo", "as_of"],
                "properties": {"as_of": {"type": "string", "format": "date"}} | {
                    k: {"type": "integer"} for k in ("above_scale", "above_scale_with_cqo", "sme", "sme_with_cqo")}}}}},
                "400": _error("any query parameter (as_of too: the counts are today's)"),
                **_AUTH_ERRORS}}},
        "/api/v1/enterprises/{uscc}": {"get": {
            "summary": "An enterprise's filings with training status as of a date",
            "parameters": [{"name": "uscc", "in": "path", "required": True, "schema": {
                "type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$",
                "description": "unified social credit code (GB 32100, check character verified)"}}, _AS_OF],
            "responses": {
                "200": {"description": "enterprise", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["uscc", "name", "filings"],
                    "properties": {"uscc": {"type": "string"}, "name": {"type": "string"},
                                   "filings": {"type": "array", "items": _FILING}}}}}},
                "400": _error(f"invalid USCC (why, in detail), bad as_of, or {_ARGUMENT_ERRORS}"),
                "404": _error("unknown enterprise"),
                **_AUTH_ERRORS}}},
        "/api/v1/filings": {"get": {
            "summary": "Training status of every filing, a page at a time",
            "description": "Keyset pagination in filing id order: pass a page's `next` as `after` (with the same "
                           "other arguments) for the next page; `next` is null on the last page.",
            "parameters": [
                _AS_OF,
                {"name": "status", "in": "query", "required": False, "description":
                 "current (default): filings current on as_of, as /coverage counts them; all: every filing",
                 "schema": {"type": "string", "enum": ["current", "all"]}},
                {"name": "town", "in": "query", "required": False, "description": "a town's name (400 if unknown)",
                 "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 500}},
                {"name": "after", "in": "query", "required": False, "description": "the previous page's next",
                 "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}],
            "responses": {
                "200": {"description": "a page of filings", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["items", "next"],
                    "properties": {"as_of": {"type": "string", "format": "date"},
                                   "items": {"type": "array", "items": _LISTED_FILING},
                                   "next": {"type": ["integer", "null"]}}}}}},
                "400": _error(f"bad argument, unknown town, or {_ARGUMENT_ERRORS}"),
                **_AUTH_ERRORS}}},
        "/api/v1/filings/{filing_no}": {"get": {
            "summary": "One filing's training status as of a date, by the registry's filing number",
            "parameters": [{"name": "filing_no", "in": "path", "required": True, "schema": {"type": "string"}},
                           _AS_OF],
            "responses": {
                "200": {"description": "filing", "content": {"application/json": {"schema": _FILING}}},
                "400": _error(f"bad as_of, or {_ARGUMENT_ERRORS}"),
                "404": _error("unknown filing"),
                **_AUTH_ERRORS}}},
        "/api/v1/roster": {"post": {
            "summary": "Push roster changes (new or ended filings), validated as an import",
            "description": "An optional field that no row of the push sends leaves what stored filings hold "
                           "there (listed in absent_columns); sent empty or null, it clears it. Unknown keys "
                           "and fields are refused (400), so that a misspelling never changes a filing "
                           "unnoticed. Repeating a push is safe: what is already stored counts as no change.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["rows"], "additionalProperties": False,
                "properties": {"dry_run": {"type": "boolean"},
                               "rows": {"type": "array", "minItems": 1, "maxItems": 10000, "items": _ROW}}}}}},
            "responses": {
                "200": {"description": "applied (or previewed with dry_run)",
                        "content": {"application/json": {"schema": _PUSH_RESULT}}},
                "400": _error("malformed request: empty body, not JSON, unknown keys or fields, wrong types, "
                              "any query parameter (dry_run goes in the body)"),
                "409": _error("another change to the roster was committed meanwhile; nothing applied, "
                              "repeating the push is safe"),
                "413": _error("too many rows or too large a body"),
                "415": _error("Content-Type is not application/json"),
                "422": {"description": "rows with errors; nothing applied",
                        "content": {"application/json": {"schema": _PUSH_REFUSED}}},
                **_AUTH_ERRORS}}},
    },
}
