"""How a response is checked and scored. Pure functions: no database; describe() alone
speaks, in the language of the request (Chinese without one).

Frozen question shapes (``frozen["answer"]`` uses the order the officer saw):
- single:      options [str], answer [index]               response: index
- multiple:    options [str], answer [index, ...]          response: [index, ...]
- truefalse:   answer true|false                           response: true|false
- shortanswer: answer [{"text", "fraction"}]               response: str
- numerical:   answer [{"value", "tolerance", "fraction"}] response: str or number
- matching:    options {"left": [str], "right": [str]}, answer [right for each left]
               response: [right or null for each left]

Multiple choice (and matching) are all-or-nothing by default. With partial credit the
fraction is (right options chosen - wrong options chosen) / right options, never below 0;
for matching, the share of pairs matched correctly.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _


class ResponseError(ValueError):
    """A response that does not fit its question (a tampered or broken request)."""


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def clean_response(frozen: dict[str, Any], response: Any) -> Any:
    """Check the shape of a response and return it normalised; None clears the answer."""
    if response is None or response == "" or response == []:
        return None
    kind = frozen["kind"]
    if kind == "single":
        return _index(response, len(frozen["options"]))
    if kind == "multiple":
        if not isinstance(response, list):
            raise ResponseError("multiple choice expects a list")
        return sorted({_index(item, len(frozen["options"])) for item in response})
    if kind == "truefalse":
        if response in (True, "true", "1", 1):
            return True
        if response in (False, "false", "0", 0):
            return False
        raise ResponseError("true/false expects true or false")
    if kind in ("shortanswer", "numerical"):
        text = str(response).strip()
        if len(text) > 500:
            raise ResponseError("answer too long")
        return text
    if kind == "matching":
        rights = frozen["options"]["right"]
        lefts = frozen["options"]["left"]
        if not isinstance(response, list) or len(response) != len(lefts):
            raise ResponseError("matching expects one choice per item")
        if any(item is not None and item not in rights for item in response):
            raise ResponseError("unknown matching choice")
        return response
    raise ResponseError(f"unknown question kind {kind}")


def _index(value: Any, size: int) -> int:
    try:
        index = int(value)
    except (TypeError, ValueError) as error:
        raise ResponseError("option index expected") from error
    if not 0 <= index < size:
        raise ResponseError("option index out of range")
    return index


def fraction(frozen: dict[str, Any], response: Any, partial_credit: bool = False) -> float:
    """The share of the question's points a response earns, from 0 to 1."""
    if response is None:
        return 0.0
    kind, answer = frozen["kind"], frozen["answer"]
    if kind == "single":
        return 1.0 if response == answer[0] else 0.0
    if kind == "truefalse":
        return 1.0 if response is answer else 0.0
    if kind == "multiple":
        chosen, right = set(response), set(answer)
        if not partial_credit:
            return 1.0 if chosen == right else 0.0
        return max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
    if kind == "shortanswer":
        given = _norm(response)
        return max((float(a["fraction"]) for a in answer if _norm(a["text"]) == given), default=0.0)
    if kind == "numerical":
        try:
            value = float(str(response).replace(",", "."))
        except ValueError:
            return 0.0
        return max((float(a["fraction"]) for a in answer
                    if abs(value - float(a["value"])) <= float(a.get("tolerance", 0)) + 1e-9),
                   default=0.0)
    if kind == "matching":
        right = sum(1 for given, expected in zip(response, answer, strict=True) if given == expected)
        if partial_credit:
            return right / len(answer)
        return 1.0 if right == len(answer) else 0.0
    return 0.0


def describe(frozen: dict[str, Any], response: Any) -> str:
    """A response (or the correct answer, passed as a response) in words, for review pages,
    in the request's language (true and false read as the paper shows them)."""
    if response is None:
        return "—"
    kind = frozen["kind"]
    if kind == "single":
        return f"{chr(65 + response)}. {frozen['options'][response]}"
    if kind == "multiple":
        return _("；").join(f"{chr(65 + i)}. {frozen['options'][i]}" for i in response)
    if kind == "truefalse":
        return _("正确") if response else _("错误")
    if kind == "matching":
        return _("；").join(f"{left} → {right or '—'}"
                           for left, right in zip(frozen["options"]["left"], response, strict=True))
    return str(response)


def correct_response(frozen: dict[str, Any]) -> Any:
    """The answer in the form of a response, to show it with describe()."""
    kind, answer = frozen["kind"], frozen["answer"]
    if kind == "single":
        return answer[0]
    if kind in ("multiple", "truefalse", "matching"):
        return answer
    if kind == "shortanswer":
        return " / ".join(a["text"] for a in answer if float(a["fraction"]) == 1.0)
    if kind == "numerical":
        return " / ".join(f"{a['value']:g} ± {a.get('tolerance', 0):g}" for a in answer
                          if float(a["fraction"]) == 1.0)
    return answer
