"""The base of every config (unknown keys are errors, so a typo in a recipe never passes silently) and the one
way a pydantic report becomes a one-line error: `source: key.path: what is wrong (what is allowed)`."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from train.errors import PrevsteerError

Model = TypeVar("Model", bound=BaseModel)
_LISTED = 12  # more allowed keys than this are not listed in full
_SHOWN = 80  # a wrong value is shown up to this many characters


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _unwrap(kind: Any) -> Any:
    """`X | None` and `Annotated[X, ...]` as X (a union of several: its first model, else its first container)."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(kind)[0])
    if origin in (typing.Union, types.UnionType):
        options = [_unwrap(arg) for arg in typing.get_args(kind) if arg is not type(None)]
        models = [option for option in options if _is_model(option)]
        containers = [option for option in options if typing.get_args(option)]
        return (models + containers + options)[0]
    return kind


def allowed_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys allowed at `loc` (keys and list indices, as pydantic reports them) inside `model`, through nested
    models, optionals, lists, tuples and mappings; none inside a free-form mapping."""
    kind: Any = model
    for part in loc:
        kind = _unwrap(kind)
        if _is_model(kind):
            field = kind.model_fields.get(str(part))
            if field is None:
                return []
            kind = field.annotation
        else:  # list[X], tuple[X, ...], dict[str, X]: an item is an X
            items = [arg for arg in typing.get_args(kind) if arg is not Ellipsis]
            if not items:
                return []
            kind = items[-1]
    kind = _unwrap(kind)
    return list(kind.model_fields) if _is_model(kind) else []


def describe_error(err: Any, allowed: Sequence[str] = ()) -> str:
    """One pydantic error (or one shaped like it: `loc` and `type`) as `key.path: what is wrong`; an unknown key
    comes with its close matches and the keys `allowed` there."""
    loc = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=3)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        listed = ", ".join(allowed) if len(allowed) <= _LISTED else f"{', '.join(allowed[:_LISTED])}, ..."
        return f"{loc}: unknown key; {hint}allowed: {listed}"
    if err["type"] == "missing":
        return f"{loc}: missing required key"
    value = err.get("input")
    got = repr(value) if len(repr(value)) <= _SHOWN else f"{repr(value)[: _SHOWN - 3]}..."
    shown = f" (got {got})" if value is not None and not isinstance(value, dict) else ""
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}{shown}"


def validated(model: type[Model], data: Any, source: str) -> Model:
    """`model.model_validate(data)`, or one PrevsteerError line starting with `source`. A misspelt key is reported
    first: it is usually why another key looks missing."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        allowed = allowed_keys(model, err["loc"][:-1]) if err["type"] == "extra_forbidden" else []
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise PrevsteerError(f"{source}: {describe_error(err, allowed)}{more}") from None
