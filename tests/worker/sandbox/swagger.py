"""Strava's API description (tests/data/strava/strava_swagger.json), to hold the sandbox to.

The description's objects (DetailedActivity, Fault, ...) live in files on developers.strava.com
that no test fetches; each reference resolves to the JSON Schema of stravalib's generated model
of the same name, which the stravalib project builds from those files (tests/data/README.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import stravalib.model
import stravalib.strava_model
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

#: Strava's Swagger 2.0 description of API v3, as the stravalib project keeps it.
SWAGGER = Path(__file__).parents[2] / "data" / "strava" / "strava_swagger.json"
#: Where the description's objects live; every external reference starts so.
OBJECTS_ORIGIN = "https://developers.strava.com/swagger/"
#: Strava's error answer, which every operation of the description gives as its default.
FAULT = {"$ref": f"{OBJECTS_ORIGIN}fault.json#/Fault"}
#: Where Strava is seen to answer outside its description: the description's LatLng
#: is a pair, yet an activity without GPS has ``"start_latlng": []`` (stravalib.model.LatLon
#: reads [] as None for that reason, "if there was no GPS associated with the activity").
NO_GPS_LATLNG: dict[str, Any] = {"type": "array", "maxItems": 0}
#: Query strings carry booleans as words.
QUERY_BOOLEANS = ("true", "false")


@dataclass(frozen=True)
class Operation:
    """One method on one path of the description."""

    method: str
    template: str
    spec: Mapping[str, Any]
    shared: Mapping[str, Any]  # the description's parameters that operations refer to

    def parameters(self, where: str) -> dict[str, Mapping[str, Any]]:
        found = (self.shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                 for p in self.spec.get("parameters", []))
        return {p["name"]: p for p in found if p["in"] == where}


class Description:
    """Strava's API description: its operations and the schemas of their answers."""

    def __init__(self, swagger: Mapping[str, Any]) -> None:
        self.swagger = swagger
        objects = _objects()
        resource = DRAFT202012.create_resource(objects)
        self.objects = objects
        self.registry: Registry[Any] = Registry().with_resources(
            (url, resource) for url in _external_files(swagger))

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation that serves ``method path`` (a path under /api/v3), if any."""
        for template, methods in self.swagger["paths"].items():
            pattern = re.sub(r"\{[^/]+\}", "[^/]+", template)
            if re.fullmatch(pattern, path) and method.lower() in methods:
                return Operation(method.upper(), template, methods[method.lower()],
                                 self.swagger["parameters"])
        return None

    def answer_schema(self, operation: Operation, status: int) -> Mapping[str, Any]:
        """The schema of the answer with ``status``: its own, or the operation's default."""
        responses = operation.spec["responses"]
        schema: Mapping[str, Any] = (responses.get(str(status)) or responses["default"])["schema"]
        return schema

    def answer_errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Where an answer departs from the description (an empty list when it holds)."""
        operation = self.operation(method, path)
        if operation is None:
            return [f"{method} {path} is not in the description"]
        return self.violations(self.answer_schema(operation, status), body)

    def violations(self, schema: Mapping[str, Any], instance: Any) -> list[str]:
        validator = Draft202012Validator(
            schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                for e in validator.iter_errors(instance)]

    def object_name(self, schema: Mapping[str, Any]) -> str:
        """The object an answer's schema names (``SummaryActivity`` for a list of them)."""
        ref = str(schema.get("$ref") or schema["items"]["$ref"])
        return ref.rsplit("#/", 1)[1]

    def fields(self, name: str) -> set[str]:
        return set(self.objects[name].get("properties", {}))

    def undescribed(self, name: str, instance: Mapping[str, Any], example: Any) -> set[str]:
        """Fields of an answer's object ``name``, nested objects included, that Strava neither
        describes, nor shows in its ``example`` answer, nor is read by stravalib."""
        known = self.fields(name) | _keys(example) | known_elsewhere(name)
        found = {f"{name}.{key}" for key in instance if key not in known}
        for key, value in instance.items():
            inner = self._object_of(name, key)
            if inner is None or key not in known:
                continue
            for item in _items(value):
                if isinstance(item, dict):
                    found |= self.undescribed(inner, item, _values(example, key))
        return found

    def _object_of(self, name: str, key: str) -> str | None:
        """The object a field of ``name`` holds (or holds a list of), if it holds one."""
        refs = re.findall(r'"\$ref": "#/(\w+)"',
                          json.dumps(self.objects[name].get("properties", {}).get(key, {})))
        objects = [r for r in refs if "properties" in self.objects[r]]
        return objects[0] if objects else None

    def example(self, operation: Operation, status: int) -> Any:
        """Strava's own example answer for the operation, None where it gives none."""
        answer = operation.spec["responses"].get(str(status), {})
        return answer.get("examples", {}).get("application/json")

    def request_errors(self, method: str, path: str, query: Mapping[str, Sequence[str]],
                       body: Any) -> list[str]:
        """Where a request departs from the description: path, query parameters and body."""
        operation = self.operation(method, path)
        if operation is None:
            return [f"{method} {path} is not in the description"]
        declared = operation.parameters("query")
        problems = [f"query parameter {name!r} is not declared for {method} {operation.template}"
                    for name in query if name not in declared]
        for name, parameter in declared.items():
            values = query.get(name)
            if not values:
                if parameter.get("required"):
                    problems.append(f"required query parameter {name!r} is missing")
                continue
            problems += [f"{name}={value!r}: {problem}" for value in values
                         for problem in self._query_value(parameter, value)]
        return problems + self._body_errors(operation, body)

    def _query_value(self, parameter: Mapping[str, Any], text: str) -> Iterator[str]:
        if parameter["type"] == "array":
            items = text.split(",") if parameter.get("collectionFormat", "csv") == "csv" else [text]
            if len(items) < parameter.get("minItems", 0):
                yield f"fewer than {parameter['minItems']} items"
            for item in items:
                yield from self._query_value(parameter["items"], item)
            return
        value: Any = text
        if parameter["type"] == "integer":
            if not re.fullmatch(r"-?\d+", text):
                yield "not an integer"
                return
            value = int(text)
        elif parameter["type"] == "boolean":
            if text not in QUERY_BOOLEANS:
                yield "not true or false"
                return
            value = text == "true"
        if "enum" in parameter and value not in parameter["enum"]:
            yield f"not one of {parameter['enum']}"

    def _body_errors(self, operation: Operation, body: Any) -> list[str]:
        declared = operation.parameters("body")
        if not declared:
            return [] if body is None else ["a body the operation does not take"]
        schema = next(iter(declared.values()))["schema"]
        name = self.object_name(schema)
        if not isinstance(body, dict):
            return [f"the body is not a JSON object ({name})"]
        unknown = sorted(set(body) - self.fields(name))
        return [f"field {field!r} is not one of {name}'s" for field in unknown] + self.violations(
            schema, body)


@cache
def description() -> Description:
    return Description(json.loads(SWAGGER.read_text(encoding="utf-8")))


def known_elsewhere(name: str) -> set[str]:
    """Fields of object ``name`` that stravalib reads beyond the description (stravalib.model)."""
    model = getattr(stravalib.model, name, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return set()
    return {field.alias or key for key, field in model.model_fields.items()}


def _keys(example: Any) -> set[str]:
    """The fields an example object shows; for a list, those its items show."""
    return {key for item in _items(example) if isinstance(item, dict) for key in item}


def _values(example: Any, key: str) -> list[Any]:
    """What an example object (or each of a list of them) holds in field ``key``."""
    return [value for item in _items(example) if isinstance(item, dict)
            for value in _items(item.get(key))]


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _objects() -> dict[str, Any]:
    """Every object of the description, by name, as a JSON Schema; references as ``#/Name``."""
    models = [m for m in vars(stravalib.strava_model).values()
              if isinstance(m, type) and issubclass(m, BaseModel)
              and m.__module__ == stravalib.strava_model.__name__]
    _, schema = models_json_schema([(m, "validation") for m in models], ref_template="#/{model}")
    objects: dict[str, Any] = schema["$defs"]
    objects["LatLng"] = {"anyOf": [objects["LatLng"], NO_GPS_LATLNG]}
    return objects


def _external_files(node: Any) -> set[str]:
    """The files on developers.strava.com that the description refers to."""
    if isinstance(node, dict):
        found = {str(node["$ref"]).split("#", 1)[0]} if str(
            node.get("$ref", "")).startswith(OBJECTS_ORIGIN) else set()
        return found.union(*(_external_files(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_external_files(v) for v in node))
    return set()
