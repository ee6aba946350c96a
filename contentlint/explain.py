"""jsonschema's errors for an invalid record, found without importing jsonschema.

``validation.Schema.errors`` explains a record the compiled validator
rejects. jsonschema's ``iter_errors`` does that, but importing jsonschema
costs ~50 ms per process: as much as the rest of a one-file run (an editor
save, a pre-commit hook on one changed record). For a Draft 2020-12 schema
made of the keywords below (the shipped article schema, the ones `init`
writes), ``Walker`` walks the schema exactly as jsonschema's
``Draft202012Validator`` does: the same keyword functions, in the schema's
key order, descending with the same instance and schema paths, so it yields
the errors jsonschema yields, in its order, with the attributes
``Schema._explain`` reads.

Anything else raises ``Unsupported`` and the record is explained by
jsonschema, as before: another keyword that validates (`anyOf`, `maximum`,
... whose messages or branch choice are jsonschema's own), a format whose
check is jsonschema's, a `$ref` that is not a plain local JSON pointer, a
value that is not plain JSON data, an answer that differs between
jsonschema's releases. Descents are pruned as jsonschema's are in
``validation._pruned``: ``accepts(part, instance)`` proves a part valid
with its compiled check. tests/test_explain.py holds the walk to
jsonschema's errors on the corpus, the contract's defects and generated
records. One difference is kept on purpose: jsonschema 4.18 raises
TypeError on a closed mapping whose unknown keys mix strings and numbers
(YAML allows `1: x`); 4.26 and this walk report the keys.
"""

from __future__ import annotations

import re

DIALECTS = frozenset({"https://json-schema.org/draft/2020-12/schema",
                      "https://json-schema.org/draft/2020-12/schema#"})

# Every keyword a Draft 2020-12 validator of jsonschema 4.18-4.26 acts on
# (4.18 also knows `additionalItems`). A key not listed is an annotation
# both ignore; a listed key without a function here is Unsupported.
VALIDATOR_KEYWORDS = frozenset("""
$dynamicRef $ref additionalItems additionalProperties allOf anyOf const contains dependentRequired
dependentSchemas enum exclusiveMaximum exclusiveMinimum format if items maxItems maxLength
maxProperties maximum minItems minLength minProperties minimum multipleOf not oneOf pattern
patternProperties prefixItems properties propertyNames required type unevaluatedItems
unevaluatedProperties uniqueItems
""".split())

# The errors validation.Schema explains in its own words (any other kind
# quotes jsonschema's message): a `not` is walked only to decide an `if`.
EXPLAINED = frozenset("""
type required additionalProperties format minLength maxLength minItems maxItems pattern enum const
""".split())

_JSON_TYPES = (dict, list, str, int, float, bool, type(None))
_MAX_REF_HOPS = 64  # `$ref`s in a row without descending into the record: a loop


class Unsupported(Exception):
    """Something this walk does not do exactly as jsonschema: ask jsonschema."""


class Error:
    """One error, as jsonschema's ValidationError gives it to ``Schema._explain``."""

    __slots__ = ("validator", "validator_value", "instance", "schema", "absolute_path", "absolute_schema_path")
    context = None  # no anyOf/oneOf here

    def __init__(self, validator, validator_value, instance, schema, path, schema_path):
        self.validator = validator
        self.validator_value = validator_value
        self.instance = instance
        self.schema = schema
        self.absolute_path = path
        self.absolute_schema_path = schema_path


def supports(document) -> bool:
    """Whether ``document`` is a schema this walk may explain: a Draft 2020-12
    object (jsonschema's default dialect) with no nested `$id` (which would
    move where `$ref`s resolve) and no nested `$schema`."""
    if document.__class__ is not dict or "$schema" in document and document["$schema"] not in DIALECTS:
        return False
    stack = [v for k, v in document.items() if k not in ("enum", "const")]
    while stack:
        node = stack.pop()
        if node.__class__ is dict:
            if "$id" in node or "$schema" in node:
                return False
            stack.extend(v for k, v in node.items() if k not in ("enum", "const"))
        elif node.__class__ is list:
            stack.extend(node)
    return True


def is_type(instance, name) -> bool:
    """jsonschema's Draft 2020-12 type checker, for plain JSON data."""
    if instance.__class__ not in _JSON_TYPES:
        raise Unsupported(f"a {type(instance).__name__} value")
    if name == "string":
        return instance.__class__ is str
    if name == "object":
        return instance.__class__ is dict
    if name == "array":
        return instance.__class__ is list
    if name == "null":
        return instance is None
    if name == "boolean":
        return instance.__class__ is bool
    if name == "integer":
        return instance.__class__ is int or instance.__class__ is float and instance.is_integer()
    if name == "number":
        return instance.__class__ is int or instance.__class__ is float
    raise Unsupported(f"type {name!r}")


def equal(one, two) -> bool:
    """jsonschema's ``_utils.equal`` for plain JSON data: True is not 1,
    lists and mappings compare item by item."""
    if one.__class__ not in _JSON_TYPES or two.__class__ not in _JSON_TYPES:
        raise Unsupported("a value that is not plain JSON data")
    if one.__class__ is float and one != one or two.__class__ is float and two != two:
        raise Unsupported("NaN")  # jsonschema 4.18 and 4.26 differ there (`is` before `==`)
    if one.__class__ is str or two.__class__ is str:
        return one == two
    if one.__class__ is list and two.__class__ is list:
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if one.__class__ is dict and two.__class__ is dict:
        return len(one) == len(two) and all(key in two and equal(value, two[key]) for key, value in one.items())
    if one.__class__ is bool or two.__class__ is bool:
        return one.__class__ is two.__class__ and one == two
    return one == two


def _search(pattern, text) -> bool:
    if pattern.__class__ is not str or text.__class__ is not str:
        raise Unsupported("a pattern or key that is not a string")
    try:
        return re.search(pattern, text) is not None
    except re.error:
        raise Unsupported("a pattern Python cannot compile") from None


class Walker:
    """jsonschema's error walk over one schema document (see the module's doc).

    ``accepts(part, instance)``: True when ``instance`` is proven valid
    against ``part`` (a dict of the document); False means "walk it"."""

    def __init__(self, document: dict, formats: dict, accepts=None):
        self.document = document
        self.formats = formats  # format name -> check: ours only (validation._OWN_FORMATS)
        self.accepts = accepts or (lambda part, instance: False)
        self._refs: dict[str, object] = {}

    def errors(self, instance) -> list[Error]:
        """Every error jsonschema would yield for ``instance``, in its order;
        Unsupported when this walk cannot promise that."""
        found = list(self._walk(instance, self.document, (), (), 0))
        for error in found:
            if error.validator not in EXPLAINED:
                raise Unsupported(f"a {error.validator!r} error (its message is jsonschema's)")
        return found

    def valid(self, instance, schema, hops: int = 0) -> bool:
        """jsonschema's ``is_valid`` for an `if` or a `not`: its first error decides."""
        return next(iter(self._walk(instance, schema, (), (), hops)), None) is None

    def leaf_valid(self, part: dict, instance) -> bool:
        """``part``'s own keywords accept ``instance`` (validation's leaf check)."""
        try:
            return next(iter(self._walk(instance, part, (), (), 0)), None) is None
        except Unsupported:
            return False

    def _walk(self, instance, schema, path: tuple, schema_path: tuple, hops: int):
        if schema is True:
            return
        if schema.__class__ is not dict:
            raise Unsupported("a schema that is not an object or true")
        for key, value in schema.items():
            if key not in VALIDATOR_KEYWORDS:
                continue
            keyword = _KEYWORDS.get(key)
            if keyword is None:
                raise Unsupported(f"keyword {key!r}")
            # jsonschema leaves `$ref` and `if` out of the schema path (`then` is in it).
            yield from keyword(self, value, instance, schema, path,
                               schema_path if key == "$ref" or key == "if" else (*schema_path, key), hops)

    def _descend(self, instance, schema, path, schema_path):
        if schema.__class__ is dict and self.accepts(schema, instance):
            return ()
        return self._walk(instance, schema, path, schema_path, 0)

    def _resolve(self, ref):
        """The document's part a local JSON-pointer `$ref` names."""
        if ref.__class__ is not str or not ref.startswith("#") or "%" in ref:
            raise Unsupported("a $ref that is not a local JSON pointer")
        if ref not in self._refs:
            target = self.document
            if ref != "#":
                if not ref.startswith("#/"):
                    raise Unsupported("a $ref to an anchor")
                for part in ref[2:].split("/"):
                    part = part.replace("~1", "/").replace("~0", "~")
                    if target.__class__ is dict and part in target:
                        target = target[part]
                    elif target.__class__ is list and part.isdigit() and part.isascii() and int(part) < len(target):
                        target = target[int(part)]
                    else:
                        raise Unsupported("a $ref that does not resolve")
            self._refs[ref] = target
        return self._refs[ref]


def _ref(walker, ref, instance, schema, path, schema_path, hops):
    if hops >= _MAX_REF_HOPS:
        raise Unsupported("a loop of $refs")
    yield from walker._walk(instance, walker._resolve(ref), path, schema_path, hops + 1)


def _type(walker, types, instance, schema, path, schema_path, hops):
    if types.__class__ is str:
        names = [types]
    elif types.__class__ is list:
        names = types
    else:
        raise Unsupported("a type that is not a name or a list")
    if not any(is_type(instance, name) for name in names):
        yield Error("type", types, instance, schema, path, schema_path)


def _properties(walker, properties, instance, schema, path, schema_path, hops):
    if not is_type(instance, "object"):
        return
    if properties.__class__ is not dict:
        raise Unsupported("properties that are not an object")
    for name, subschema in properties.items():
        if name in instance:
            yield from walker._descend(instance[name], subschema, (*path, name), (*schema_path, name))


def _additional_properties(walker, extra_schema, instance, schema, path, schema_path, hops):
    if not is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [key for key in instance if key not in known and not (patterns and _search(patterns, key))]
    if extra_schema.__class__ is dict:
        # jsonschema goes through a set: the errors are the same, their order is
        # not. All are found before the first is yielded, so an `if` that stops
        # at it still meets whatever in another key this walk cannot do.
        yield from [error for key in extras
                    for error in walker._walk(instance[key], extra_schema, (*path, key), schema_path, 0)]
    elif extra_schema is False:
        if extras:
            yield Error("additionalProperties", extra_schema, instance, schema, path, schema_path)
    elif extra_schema is not True:
        raise Unsupported("additionalProperties that is not a schema")


def _pattern_properties(walker, patterns, instance, schema, path, schema_path, hops):
    if not is_type(instance, "object"):
        return
    if patterns.__class__ is not dict:
        raise Unsupported("patternProperties that are not an object")
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from walker._walk(value, subschema, (*path, key), (*schema_path, pattern), 0)


def _items(walker, items, instance, schema, path, schema_path, hops):
    if not is_type(instance, "array"):
        return
    if "prefixItems" in schema:  # checked up front: an `if` stops at its first error
        raise Unsupported("items beside prefixItems")
    if items is True or not instance:
        return
    if items.__class__ is not dict:
        raise Unsupported("items that is not an object or true")
    for index, item in enumerate(instance):
        yield from walker._descend(item, items, (*path, index), schema_path)


def _required(walker, required, instance, schema, path, schema_path, hops):
    if not is_type(instance, "object"):
        return
    if required.__class__ is not list:
        raise Unsupported("required that is not a list")
    for name in required:
        if name not in instance:
            yield Error("required", required, instance, schema, path, schema_path)


def _size(keyword: str, kind: str, least: bool):
    """`minLength`/`maxLength` (a string's), `minItems`/`maxItems` (a list's)."""
    def check(walker, bound, instance, schema, path, schema_path, hops):
        if bound.__class__ is not int:
            raise Unsupported(f"{keyword} that is not an integer")
        if is_type(instance, kind) and (len(instance) < bound if least else len(instance) > bound):
            yield Error(keyword, bound, instance, schema, path, schema_path)
    return check


def _pattern(walker, pattern, instance, schema, path, schema_path, hops):
    if is_type(instance, "string") and not _search(pattern, instance):
        yield Error("pattern", pattern, instance, schema, path, schema_path)


def _format(walker, name, instance, schema, path, schema_path, hops):
    check = walker.formats.get(name) if name.__class__ is str else None
    if check is None:
        raise Unsupported(f"format {name!r} (jsonschema's check)")
    if not check(instance):
        yield Error("format", name, instance, schema, path, schema_path)


def _enum(walker, values, instance, schema, path, schema_path, hops):
    if values.__class__ is not list:
        raise Unsupported("enum that is not a list")
    found = any(equal(each, instance) for each in values)
    if (instance.__class__ is list or instance.__class__ is dict) and found is not (instance in values):
        # jsonschema 4.18 compares a list or mapping with ==, where [True] is [1]; 4.26 as `equal`
        raise Unsupported("an enum whose answer depends on jsonschema's release")
    if not found:
        yield Error("enum", values, instance, schema, path, schema_path)


def _const(walker, value, instance, schema, path, schema_path, hops):
    if not equal(instance, value):
        yield Error("const", value, instance, schema, path, schema_path)


def _all_of(walker, schemas, instance, schema, path, schema_path, hops):
    if schemas.__class__ is not list:
        raise Unsupported("allOf that is not a list")
    for index, subschema in enumerate(schemas):
        yield from walker._walk(instance, subschema, path, (*schema_path, index), hops)


def _property_names(walker, names_schema, instance, schema, path, schema_path, hops):
    if not is_type(instance, "object"):
        return
    for key in instance:  # each key is the instance; the path stays the object's
        yield from walker._walk(key, names_schema, path, schema_path, 0)


def _not(walker, not_schema, instance, schema, path, schema_path, hops):
    if walker.valid(instance, not_schema, hops):  # its message is jsonschema's: Walker.errors refuses it
        yield Error("not", not_schema, instance, schema, path, schema_path)


def _if(walker, condition, instance, schema, path, schema_path, hops):
    if walker.valid(instance, condition, hops):
        if "then" in schema:
            yield from walker._walk(instance, schema["then"], path, (*schema_path, "then"), hops)
    elif "else" in schema:
        yield from walker._walk(instance, schema["else"], path, (*schema_path, "else"), hops)


_KEYWORDS = {
    "$ref": _ref, "type": _type, "properties": _properties, "additionalProperties": _additional_properties,
    "patternProperties": _pattern_properties, "items": _items, "required": _required,
    "minLength": _size("minLength", "string", least=True), "maxLength": _size("maxLength", "string", least=False),
    "minItems": _size("minItems", "array", least=True), "maxItems": _size("maxItems", "array", least=False),
    "pattern": _pattern, "format": _format, "enum": _enum, "const": _const, "allOf": _all_of, "if": _if,
    "propertyNames": _property_names, "not": _not,
}
