"""The slice of OData that Outlook's Graph endpoints accept: ``Prefer``, ``$select``, ``$filter``, paging.

``$filter`` is parsed into a small expression tree (``eq``/``ne``, ``and``/``or``, parentheses, and the
lambda ``any``) and evaluated against the *rendered* Graph JSON of an item, so a filter sees exactly the
property names and values a client would read. Anything outside that slice is refused the way Graph
refuses it (400 ``ErrorInvalidUrlQueryFilter``) rather than silently matching everything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .errors import GraphError

_PREFER_ITEM = re.compile(r'\s*([A-Za-z0-9_.\-]+)\s*(?:=\s*("([^"]*)"|[^,;]*))?\s*')


def parse_prefer(values: Iterable[str]) -> dict[str, str]:
    """``Prefer`` header values → ``{lower-case key: value}`` (quotes removed)."""
    prefs: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            match = _PREFER_ITEM.fullmatch(part)
            if not match or not match.group(1):
                continue
            raw = match.group(3) if match.group(3) is not None else (match.group(2) or "")
            prefs[match.group(1).lower()] = raw.strip()
    return prefs


def parse_select(value: str | None, known: Iterable[str], type_name: str) -> list[str] | None:
    """``$select`` → property names (as Graph spells them), or None for everything."""
    if not value:
        return None
    lookup = {name.lower(): name for name in known}
    names: list[str] = []
    for raw in value.split(","):
        name = raw.strip()
        if not name:
            continue
        canonical = lookup.get(name.lower())
        if canonical is None:
            raise GraphError(
                400,
                "RequestBroker--ParseUri",
                f"Could not find a property named '{name}' on type '{type_name}'.",
            )
        names.append(canonical)
    return names


def context_select(select: list[str] | None) -> str:
    """What ``$select`` adds to ``@odata.context``, as Graph writes it: ``events(subject,start)``."""
    return f"({','.join(select)})" if select else ""


def apply_select(item: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    """Keep the selected properties; Graph always keeps ``id`` and ``@odata.etag``."""
    if select is None:
        return item
    keep = {"id", "@odata.etag", *select}
    return {key: value for key, value in item.items() if key in keep}


# ---------------------------------------------------------------------------------------------- $filter

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<punct>[():,])"
    r"|(?P<word>[A-Za-z_@$][A-Za-z0-9_./@$]*))"
)

Predicate = Callable[[dict[str, Any]], bool]


def _bad_filter(detail: str = "") -> GraphError:
    message = "The query filter contains one or more invalid nodes."
    return GraphError(400, "ErrorInvalidUrlQueryFilter", message + (f" ({detail})" if detail else ""))


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _bad_filter(f"unexpected text at {pos}")
        pos = match.end()
        if match.group("str") is not None:
            tokens.append(("lit", match.group("str")[1:-1].replace("''", "'")))
        elif match.group("num") is not None:
            number = match.group("num")
            tokens.append(("lit", float(number) if "." in number else int(number)))
        elif match.group("punct") is not None:
            tokens.append((match.group("punct"), None))
        else:
            word = match.group("word")
            lowered = word.lower()
            if lowered in {"true", "false"}:
                tokens.append(("lit", lowered == "true"))
            elif lowered == "null":
                tokens.append(("lit", None))
            elif lowered in {"and", "or", "eq", "ne", "not"}:
                tokens.append((lowered, None))
            else:
                tokens.append(("path", word))
    return tokens


def _get_path(item: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(item, dict):
            return None
        if part in item:
            item = item[part]
            continue
        lowered = part.lower()
        item = next((value for key, value in item.items() if key.lower() == lowered), None)
    return item


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()  # Exchange compares strings case-insensitively
    return bool(left == right)


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self, kind: str) -> Any:
        if self.peek() != kind:
            raise _bad_filter(f"expected {kind}")
        value = self.tokens[self.pos][1]
        self.pos += 1
        return value

    def parse(self) -> Predicate:
        predicate = self.expr(frozenset())
        if self.pos != len(self.tokens):
            raise _bad_filter("trailing tokens")
        return predicate

    def expr(self, scope: frozenset[str]) -> Predicate:
        left = self.conjunction(scope)
        while self.peek() == "or":
            self.take("or")
            right = self.conjunction(scope)
            left = (lambda a, b: lambda env: a(env) or b(env))(left, right)
        return left

    def conjunction(self, scope: frozenset[str]) -> Predicate:
        left = self.term(scope)
        while self.peek() == "and":
            self.take("and")
            right = self.term(scope)
            left = (lambda a, b: lambda env: a(env) and b(env))(left, right)
        return left

    def term(self, scope: frozenset[str]) -> Predicate:
        kind = self.peek()
        if kind == "(":
            self.take("(")
            inner = self.expr(scope)
            self.take(")")
            return inner
        if kind == "not":
            self.take("not")
            inner = self.term(scope)
            return lambda env: not inner(env)
        path = self.take("path")
        parts = path.split("/")
        if parts[-1].lower() == "any" and self.peek() == "(":
            return self.lambda_any(parts[:-1], scope)
        operator = self.peek()
        if operator not in {"eq", "ne"}:
            raise _bad_filter(f"unsupported operator after {path}")
        self.take(operator)
        literal = self.take("lit")
        getter = self.getter(parts, scope)
        if operator == "eq":
            return lambda env: _equal(getter(env), literal)
        return lambda env: not _equal(getter(env), literal)

    def lambda_any(self, collection: list[str], scope: frozenset[str]) -> Predicate:
        self.take("(")
        variable = self.take("path")
        self.take(":")
        inner = self.expr(scope | {variable})
        self.take(")")
        getter = self.getter(collection, scope)

        def any_of(env: dict[str, Any]) -> bool:
            values = getter(env)
            if not isinstance(values, list):
                return False
            return any(inner({**env, variable: value}) for value in values)

        return any_of

    @staticmethod
    def getter(parts: list[str], scope: frozenset[str]) -> Callable[[dict[str, Any]], Any]:
        if parts[0] in scope:
            head, rest = parts[0], parts[1:]
            return lambda env: _get_path(env[head], rest)
        return lambda env: _get_path(env["$it"], parts)


def compile_filter(text: str | None) -> Callable[[dict[str, Any]], bool] | None:
    """``$filter`` text → a predicate over rendered items, or None when there is no filter."""
    if not text or not text.strip():
        return None
    predicate = _Parser(_tokenize(text)).parse()
    return lambda item: predicate({"$it": item})


# ----------------------------------------------------------------------------------------------- paging


@dataclass(frozen=True)
class Page:
    """One page of a collection and the link to the next one, if any."""

    items: list[Any]
    next_link: str | None
    page_size: int


def page_size(query: dict[str, str], prefs: dict[str, str], default: int = 10) -> int:
    """``$top`` wins, then ``Prefer: odata.maxpagesize``, then Outlook's default of 10; at most 1000."""
    raw = query.get("$top")
    if raw is not None:
        try:
            size = int(raw)
        except ValueError as exc:
            raise GraphError(400, "BadRequest", f"Invalid $top value '{raw}'.") from exc
        if size < 1 or size > 1000:
            raise GraphError(400, "ErrorInvalidParameter", "The value of $top must be between 1 and 1000.")
        return size
    pref = prefs.get("odata.maxpagesize")
    if pref:
        try:
            return max(1, min(1000, int(pref)))
        except ValueError:
            pass
    return default


def paginate(items: list[Any], query: dict[str, str], size: int, base_url: str, path: str) -> Page:
    """Cut ``items`` at ``$skip``; the next link repeats the query with a larger ``$skip``."""
    try:
        skip = max(0, int(next((v for k, v in query.items() if k.lower() == "$skip"), "0")))
    except ValueError as exc:
        raise GraphError(400, "BadRequest", "Invalid $skip value.") from exc
    chunk = items[skip : skip + size]
    next_link = None
    if skip + size < len(items):
        params = {key: value for key, value in query.items() if key.lower() != "$skip"}
        params["$skip"] = str(skip + size)
        next_link = f"{base_url}{path}?{urlencode(params, safe='$')}"
    return Page(chunk, next_link, size)


def order_by(items: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """``$orderby=a/b desc, c`` on rendered items (tolerated, best effort: None sorts first)."""
    if not text:
        return items
    for clause in reversed([part.strip() for part in text.split(",") if part.strip()]):
        bits = clause.split()
        path = bits[0].split("/")
        descending = len(bits) > 1 and bits[1].lower() == "desc"
        items = sorted(items, key=functools.partial(_order_key, path), reverse=descending)
    return items


def _order_key(path: list[str], item: dict[str, Any]) -> tuple[bool, str]:
    value = _get_path(item, path)
    return value is not None, str(value).lower() if value is not None else ""
