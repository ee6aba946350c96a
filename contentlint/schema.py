"""The schema contract: load, validate, and explain failures in plain words.

Each jsonschema error becomes one ``SchemaError`` with the JSON path it is
about, the rule code it belongs to (CL100-CL104), where to anchor it ("value",
"key" or "parent") and a message built from the schema's ``description``s.
For ``anyOf``/``oneOf`` the best-matching branch's error is explained, not
the whole list.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from contentlint.urls import is_simple_url

if TYPE_CHECKING:
    from jsonschema import exceptions

# jsonschema (~80 ms to import) is needed only to check a new schema and to
# explain invalid documents; a clean run with a compiled schema never loads it.


class SchemaLoadError(Exception):
    """The schema file is missing or invalid: a usage error (exit 2)."""


@dataclass(frozen=True)
class SchemaError:
    code: str
    path: tuple  # JSON path of the instance the error is about
    anchor: str  # "value", "key" or "parent"
    message: str


def default_schema_path() -> str:
    """The contract shipped in the wheel (the top-level schemas/ folder)."""
    try:
        return str(resources.files("contentlint.schemas").joinpath("article.schema.json"))
    except ModuleNotFoundError:  # running from a source tree that is not installed
        return os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas", "article.schema.json")


def load_schema(path: str | None, cache_dir: str | None = None) -> "Schema":
    """Read a schema; compiled validation code is kept in ``cache_dir`` by schema hash."""
    path = path or default_schema_path()
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        document = json.loads(raw)
    except OSError as exc:
        raise SchemaLoadError(f"cannot read schema {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise SchemaLoadError(f"schema {path} is not valid JSON: {exc}") from None
    key = hashlib.sha256(raw).hexdigest()[:24]
    module = os.path.join(cache_dir, f"schema_{key}.py") if cache_dir else None
    fast = _load_compiled(module, document) if module and os.path.isfile(module) else None
    if fast is None:
        _check(path, document)  # a schema that compiled once was checked then
        fast = _compile_fast(document, module)
    return Schema(path, document, fast)


def _check(path: str, document: Any) -> None:
    from jsonschema import Draft202012Validator, exceptions, validators

    if not isinstance(document, dict):
        raise SchemaLoadError(f"schema {path} is not a valid JSON Schema: not an object")
    cls = validators.validator_for(document, default=Draft202012Validator)
    try:
        cls.check_schema(document)
    except exceptions.SchemaError as exc:
        raise SchemaLoadError(f"schema {path} is not a valid JSON Schema: {exc.message}") from None


def describe_path(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front matter"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_EXPECTED = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "a mapping", "null": "null"}


def _described(schema: dict) -> str:
    text = schema.get("description", "")
    return f": {text}" if text else ""


def _closest_branch(error: exceptions.ValidationError) -> exceptions.ValidationError:
    from jsonschema import exceptions

    """The error of the anyOf/oneOf branch that came closest, not a dump of all.

    A branch whose type does not even match the value (`type: null` for a
    string) is the least helpful explanation; among the others, the branch
    with the fewest errors wins, and jsonschema's best_match picks within it.
    """
    branches: dict = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(sub)

    def distance(item):
        errors = item[1]
        wrong_type = any(e.validator == "type" and not e.relative_path for e in errors)
        return (wrong_type, len(errors), item[0])

    _, errors = min(branches.items(), key=distance)
    return exceptions.best_match(errors)


# Keywords that mean the same in draft-07 (what fastjsonschema implements) and
# 2020-12. Anything else (unevaluatedProperties, prefixItems, $dynamicRef,
# dependentRequired, ...) would be silently ignored there, so no fast path.
_DRAFT7_SAME = frozenset("""
$schema $id $defs $comment title description default examples definitions
type enum const properties required additionalProperties patternProperties propertyNames
items minItems maxItems uniqueItems contains minProperties maxProperties
minLength maxLength pattern format minimum maximum exclusiveMinimum exclusiveMaximum multipleOf
allOf anyOf oneOf not if then else
""".split())
_REF_SIBLINGS_OK = frozenset({"$ref", "description", "title", "$comment", "default", "examples"})


def _draft7_subset(schema: Any, parent_key: str = "") -> bool:
    if isinstance(schema, list):
        return all(_draft7_subset(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    if parent_key in ("properties", "patternProperties", "$defs", "definitions"):
        return all(_draft7_subset(sub) for sub in schema.values())  # keys here are names, not keywords
    if "$ref" in schema and not set(schema) <= _REF_SIBLINGS_OK:
        return False  # draft-07 ignores a $ref's siblings; 2020-12 applies them
    if isinstance(schema.get("items"), list):
        return False  # tuple form: prefixItems in 2020-12
    for key, value in schema.items():
        if key not in _DRAFT7_SAME and key != "$ref":
            return False
        if key in ("enum", "const", "default", "examples", "required", "type"):
            continue
        if not _draft7_subset(value, key):
            return False
    return True


# A strict subset of RFC 3986 absolute URIs (no IP literals, no odd
# authorities): a match is certainly valid, anything else goes to
# rfc3986-validator, which costs ~20x more. A test holds the two to agreement.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PLAIN_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*://"
    r"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*@)?"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::[0-9]*)?"
    rf"(?:/{_PCHAR}*)*(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)


def _formats(document: Any) -> set[str]:
    if isinstance(document, dict):
        found = {document["format"]} if isinstance(document.get("format"), str) else set()
        return found.union(*(_formats(v) for k, v in document.items() if k not in ("enum", "const")))
    if isinstance(document, list):
        return set().union(*(_formats(v) for v in document))
    return set()


def _is_uri(value: Any) -> bool:
    """RFC 3986 `uri`: ASCII only, so an IRI (raw non-ASCII) is not one; CL303
    reports the same URLs (docs/schema.md, "Internationalised URLs")."""
    if not isinstance(value, str) or is_simple_url(value) or _PLAIN_URI.fullmatch(value):
        return True
    return _rfc3986(value, "URI")


def _is_uri_reference(value: Any) -> bool:
    return not isinstance(value, str) or _rfc3986(value, "URI_reference")


def _is_iri(value: Any) -> bool:
    return not isinstance(value, str) or _rfc3986(_iri_as_uri(value), "URI")


def _is_iri_reference(value: Any) -> bool:
    return not isinstance(value, str) or _rfc3986(_iri_as_uri(value), "URI_reference")


def _rfc3986(value: str | None, rule: str) -> bool:
    from rfc3986_validator import validate_rfc3986  # MIT; rfc3987 is GPL

    return value is not None and validate_rfc3986(value, rule=rule) is not None


def _iri_as_uri(value: str) -> str | None:
    """The URI an IRI maps to (RFC 3987 section 3.1: its ucschar, and in the
    query its iprivate, characters percent-encoded as UTF-8); None when a
    non-ASCII character is neither, so ``value`` is no IRI."""
    query, fragment = value.find("?"), value.find("#")
    out = []
    for i, ch in enumerate(value):
        if ch.isascii():
            out.append(ch)
            continue
        in_query = 0 <= query < i and (fragment < 0 or i < fragment)
        if not (_ucschar(ord(ch)) or (in_query and _iprivate(ord(ch)))):
            return None
        out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _ucschar(cp: int) -> bool:
    if cp <= 0xFFFF:
        return 0xA0 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF
    # Planes 1-14 less each plane's last two code points and U+E0000-E0FFF.
    return cp <= 0xEFFFD and (cp & 0xFFFF) <= 0xFFFD and not 0xE0000 <= cp <= 0xE0FFF


def _iprivate(cp: int) -> bool:
    return 0xE000 <= cp <= 0xF8FF or 0xF0000 <= cp <= 0xFFFFD or 0x100000 <= cp <= 0x10FFFD


def _is_datetime(value: Any) -> bool:
    return not isinstance(value, str) or bool(_rfc3339()(value.upper()))


@functools.lru_cache(maxsize=None)
def _rfc3339():
    from rfc3339_validator import validate_rfc3339

    return validate_rfc3339


# Formats whose check is ours, the same whatever the user has installed:
# jsonschema checks `uri` with rfc3987 (GPL) when that is installed, else with
# rfc3986-validator, and `iri` only with rfc3987 or rfc3987-syntax.
_OWN_FORMATS = {
    "uri": _is_uri,
    "uri-reference": _is_uri_reference,
    "iri": _is_iri,
    "iri-reference": _is_iri_reference,
    "date-time": _is_datetime,
}


def format_checks(document: Any) -> dict:
    """The format functions the compiled validator calls: ours for the URI
    formats and `date-time`, jsonschema's for any other format the schema uses
    (imported only then)."""
    checks = dict(_OWN_FORMATS)
    if _formats(document) - set(checks):
        from jsonschema import Draft202012Validator

        checker = Draft202012Validator.FORMAT_CHECKER
        checks = {name: (lambda value, name=name: checker.conforms(value, name)) for name in checker.checkers}
        checks.update(_OWN_FORMATS)
    return checks


def format_checker(cls):
    """``cls.FORMAT_CHECKER`` with our checks in place of jsonschema's own."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = dict(cls.FORMAT_CHECKER.checkers)
    for name, check in _OWN_FORMATS.items():
        checker.checks(name)(check)
    return checker


def _compile_fast(document: Any, module: str | None) -> Any:
    """A compiled validator that answers "valid?" ~20x faster than jsonschema.

    Only a *valid* answer is trusted; any failure is re-checked and explained
    by jsonschema. The format checks are jsonschema's (see format_checks):
    fastjsonschema's own are laxer. A schema with keywords fastjsonschema
    would ignore gets no fast path. The generated code is written to
    ``module`` (the cache) so later runs only import it.
    """
    if not _draft7_subset(document):
        return None
    try:
        import fastjsonschema

        code = fastjsonschema.compile_to_code(copy.deepcopy(document), formats=format_checks(document))
    except Exception:
        return None
    if module:
        try:
            os.makedirs(os.path.dirname(module), exist_ok=True)
            temp = f"{module}.{os.getpid()}.tmp"
            with open(temp, "w", encoding="utf-8") as handle:
                handle.write(code)
            os.replace(temp, module)  # atomic: concurrent runs see all or nothing
            compiled = _load_compiled(module, document)
            if compiled is not None:
                return compiled
        except OSError:
            pass
    namespace: dict = {}
    exec(compile(code, "<compiled schema>", "exec"), namespace)
    return _bind(namespace["validate"], document)


def _load_compiled(module: str, document: Any) -> Any:
    try:
        spec = importlib.util.spec_from_file_location(f"contentlint_schema_{os.path.basename(module)[7:-3]}", module)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        return _bind(loaded.validate, document)
    except Exception:  # a damaged cache file: compile again
        return None


def _bind(validate, document):
    checks = format_checks(document)
    return lambda data: validate(data, custom_formats=checks)


class Schema:
    def __init__(self, path: str, document: dict, fast):
        self.path = path
        self.document = document
        self.fast = fast
        self._validator = None

    @property
    def validator(self):
        """jsonschema's validator with real format checks (built on first need)."""
        if self._validator is None:
            from jsonschema import Draft202012Validator, validators

            cls = validators.validator_for(self.document, default=Draft202012Validator)
            self._validator = cls(self.document, format_checker=format_checker(cls))
        return self._validator

    def _fast_valid(self, data: Any) -> bool:
        """True when the compiled validator accepts ``data``; False means "ask jsonschema"."""
        if self.fast is None:
            return False
        try:
            self.fast(data)
            return True
        except Exception:  # fastjsonschema's JsonSchemaException, or anything odd
            return False

    def is_valid(self, data: Any) -> bool:
        return self._fast_valid(data) or self.validator.is_valid(data)

    def errors(self, data: Any) -> list[SchemaError]:
        if self._fast_valid(data):
            return []
        found: dict[tuple, SchemaError] = {}  # jsonschema finds and explains every error (none: valid)
        for error in self.validator.iter_errors(data):
            for explained in self._explain(error):
                found.setdefault((explained.code, explained.path), explained)
        return list(found.values())

    def _resolve(self, schema: Any) -> Any:
        """Follow local `$ref`s (`#/$defs/x`) so descriptions can be read."""
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 16:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                return schema
            target: Any = self.document
            for part in ref[2:].split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            schema, seen = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, seen + 1
        return schema if isinstance(schema, dict) else {}

    def _field_description(self, error: exceptions.ValidationError) -> str:
        """The description of the field an error is about, for the message.

        Walks the error's absolute schema path from the root (jsonschema
        leaves `$ref` hops out of it, so follow a `$ref` whenever the next
        step is not in the current schema) and keeps the description of the
        last field schema passed (reached through `properties/<name>` or
        `items`), so a shared `$defs` shape or an anyOf branch quotes the
        field's own words. For `required`, the missing field's description.
        """
        node: Any = self.document
        described = ""
        objects = [node]
        previous = None
        for step in list(error.absolute_schema_path)[:-1]:
            while isinstance(node, dict) and step not in node and "$ref" in node:
                node = self._resolve({"$ref": node["$ref"]})
            if not isinstance(node, (dict, list)):
                break
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict):
                if previous == "properties" or step == "items":
                    described = node.get("description", described)
                target = self._resolve(node)
                if "properties" in target:
                    objects.append(target)
            previous = step
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [m for m in error.validator_value if m not in error.instance]
            if missing:
                described = self._resolve(objects[-1].get("properties", {}).get(missing[0], {})).get("description", "")
        return f": {described}" if described else ""

    def _explain(self, error: exceptions.ValidationError) -> list[SchemaError]:
        if error.validator in ("anyOf", "oneOf") and error.context:
            return self._explain(_closest_branch(error))
        path = tuple(error.absolute_path)
        name = describe_path(path)
        kind, schema, value = error.validator, error.schema, error.instance
        description = self._field_description(error)
        if kind == "required":
            # jsonschema yields one error per missing field; errors() dedupes.
            props = self._resolve(schema).get("properties", {})
            return [SchemaError("CL101", path + (m,), "parent",
                                f"missing required field `{describe_path(path + (m,))}`{_described(self._resolve(props.get(m, {})))}")
                    for m in error.validator_value if isinstance(value, dict) and m not in value]
        if kind == "type":
            expected = error.validator_value
            expected = " or ".join(_EXPECTED.get(t, t) for t in (expected if isinstance(expected, list) else [expected]))
            return [SchemaError("CL102", path, "value",
                                f"`{name}` must be {expected}, not {_type_name(value)}{description}")]
        if kind == "format":
            return [SchemaError("CL103", path, "value",
                                f"`{name}` is not a valid {error.validator_value} ({value!r}){description}")]
        if kind in ("additionalProperties", "unevaluatedProperties"):
            known = set(self._resolve(schema).get("properties", {}))
            extras = [k for k in value if k not in known] if isinstance(value, dict) else []
            where = f"in `{name}`" if path else "at the top level"
            return [SchemaError("CL104", path + (k,), "key",
                                f"unknown field `{k}` {where}; expected one of: {', '.join(sorted(known))}")
                    for k in extras]
        return [SchemaError("CL100", path, "value", self._generic(error, name, description))]

    @staticmethod
    def _generic(error: exceptions.ValidationError, name: str, description: str) -> str:
        kind, expected, value = error.validator, error.validator_value, error.instance
        if kind == "minLength":
            what = "must not be empty" if expected == 1 else f"must be at least {expected} characters"
            return f"`{name}` {what}{description}"
        if kind == "pattern":
            return f"`{name}` does not match the expected form `{expected}` ({value!r}){description}"
        if kind == "enum":
            return f"`{name}` must be one of {', '.join(map(repr, expected))}, not {value!r}{description}"
        if kind == "const":
            return f"`{name}` must be {expected!r}, not {value!r}{description}"
        if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            return f"`{name}` {error.message}{description}"
        if kind in ("minItems", "maxItems", "uniqueItems"):
            return f"`{name}`: {error.message}{description}"
        return f"`{name}`: {error.message}"
