"""Flags built from settings models, as TRL's `TrlParser` (HfArgumentParser) builds them from dataclasses: each
field gives its flag, type, default and help, so a default is declared once, on the field.

A field's `json_schema_extra` may say how the command line spells it: `input` (what kind of path must exist, see
`train.cli.inputs`), `flag` (another flag name), `positional`, `repeat` (a repeatable flag that collects a list),
`metavar`. A nested settings model (e.g. `Sampling`) gives its fields' flags. An unset flag is None in the
namespace and leaves the field to its default, so a value given elsewhere (a recipe) is not overridden."""

from __future__ import annotations

import argparse
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from train.cli.inputs import INPUTS
from train.errors import PrevsteerError
from train.schema import describe_error

Model = TypeVar("Model", bound=BaseModel)


def list_of(cast: Callable[[str], Any], what: str) -> Callable[[str], list[Any]]:
    """An argparse type for comma-separated values, e.g. `--layers 10,15,20`."""

    def parse(text: str) -> list[Any]:
        try:
            return [cast(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}, got {text!r}") from None

    return parse


_WHAT = {int: "integers", float: "numbers", str: "values"}


def _extra(field: FieldInfo) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _bare(annotation: Any) -> Any:
    """`X | None` as X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def flag_name(name: str, field: FieldInfo) -> str:
    return str(_extra(field).get("flag") or f"--{name.replace('_', '-')}")


def shown_default(field: FieldInfo) -> str:
    """The help text's `(default X)`, from the field; nothing when the field has no value of its own."""
    default = field.get_default(call_default_factory=True)
    if default is None or default is False or default == [] or field.is_required():
        return ""
    if isinstance(default, list):
        return f" (default {','.join(f'{value:g}' if isinstance(value, float) else str(value) for value in default)})"
    return f" (default {default:g})" if isinstance(default, float) else f" (default {default})"


def field_argument(name: str, field: FieldInfo, help_prefix: str = "") -> tuple[list[str], dict[str, Any]]:
    """The `add_argument` call of one field: its names and keyword arguments."""
    extra, kind = _extra(field), _bare(field.annotation)
    description = f"{help_prefix}{field.description or ''}"
    kwargs: dict[str, Any] = {"help": f"{description}{shown_default(field)}".replace("%", "%%") or None}
    if "metavar" in extra:
        kwargs["metavar"] = extra["metavar"]
    if kind is bool:
        if field.default is True:
            return [f"--no-{name.replace('_', '-')}"], {
                **kwargs,
                "dest": name,
                "action": "store_false",
                "default": None,
            }
        return [flag_name(name, field)], {**kwargs, "action": "store_true", "default": None}
    if "input" in extra:
        kwargs["type"] = INPUTS[extra["input"]]
    elif typing.get_origin(kind) is typing.Literal:
        kwargs["choices"] = typing.get_args(kind)
    elif typing.get_origin(kind) is list:
        item = typing.get_args(kind)[0]
        if extra.get("repeat"):
            kwargs.update(action="append", type=item if item is not str else None)
        else:
            kwargs["type"] = list_of(item, _WHAT.get(item, "values"))
    elif kind in (int, float, Path):
        kwargs["type"] = kind
    if extra.get("positional"):
        if typing.get_origin(kind) is list:
            kwargs.update(nargs="+", type=INPUTS[extra["input"]] if "input" in extra else None)
            kwargs.pop("action", None)
        return [name], kwargs
    if field.is_required():
        kwargs["required"] = True
    return [flag_name(name, field)], {**kwargs, "dest": name, "default": None}


def add_flags(
    parser: argparse.ArgumentParser, model: type[BaseModel], skip: Iterable[str] = (), help_prefix: str = ""
) -> None:
    """One argument per field of `model` (a nested model's fields flattened in its place), in field order."""
    skipped = set(skip)
    for name, field in model.model_fields.items():
        if name in skipped:
            continue
        nested = _bare(field.annotation)
        if _is_model(nested):
            add_flags(parser, nested, skipped, help_prefix)
            continue
        names, kwargs = field_argument(name, field, help_prefix)
        parser.add_argument(*names, **kwargs)


def given(args: argparse.Namespace, model: type[BaseModel]) -> dict[str, Any]:
    """The fields of `model` set on the command line, nested models as dicts of theirs."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        nested = _bare(field.annotation)
        if _is_model(nested):
            inner = given(args, nested)
            if inner:
                values[name] = inner
        elif getattr(args, name, None) is not None:
            values[name] = getattr(args, name)
    return values


def _flag_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The flag of the field a validation error points at (through nested models), else the dotted path."""
    kind: Any = model
    for part in loc:
        field = kind.model_fields.get(str(part)) if _is_model(kind) else None
        if field is None:
            break
        kind = _bare(field.annotation)
        if not _is_model(kind):
            return flag_name(str(part), field) if not _extra(field).get("positional") else str(part).upper()
    return ".".join(map(str, loc)) or "options"


def settings_from(args: argparse.Namespace, model: type[Model]) -> Model:
    """`model` from the flags given, or one line naming the flag that is wrong and why."""
    try:
        return model.model_validate(given(args, model))
    except ValidationError as exc:
        err = exc.errors()[0]
        problem = describe_error({**err, "loc": ()}).removeprefix("(top level): ")
        raise PrevsteerError(f"{_flag_at(model, tuple(err['loc']))}: {problem}") from None


def add_field(
    parser: argparse.ArgumentParser, model: type[BaseModel], name: str, flag: str | None = None, **kwargs: Any
) -> None:
    """One flag for one field of `model`, where a command's flags do not map one to one onto a settings model
    (`prevsteer eval` fills a recipe's `eval:` section): the type and default come from the field, and `kwargs`
    (help, type) replace what the command words its own way; the default is still shown from the field."""
    field = model.model_fields[name]
    names, argument = field_argument(name, field)
    if "help" in kwargs:
        kwargs["help"] = f"{kwargs['help']}{shown_default(field)}".replace("%", "%%")
    flag = flag or names[0]
    dest = flag.removeprefix("--no-").lstrip("-").replace("-", "_")
    parser.add_argument(flag, **{**argument, "dest": dest, "required": False, **kwargs})
