"""Build objects from config dicts: one `_target_` path each, no name switches.

Pydantic targets validate their fields, plain classes their constructor's type hints, so a wrong
type or unknown key becomes one clear line naming the key and what is valid.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from mmgym.errors import ConfigError


def factory_from_dict(data: dict[str, Any], group: str, drop: tuple[str, ...] = ()) -> Callable[[], Any]:
    """A zero-argument constructor for `data["_target_"]` with the other keys as arguments.

    Arguments are validated once, here: against the fields of a pydantic target, or against the
    constructor's type hints of a plain class.
    """
    data = dict(data)
    target = data.pop("_target_", None)
    for key in drop:
        data.pop(key, None)
    if not target:
        raise ConfigError(f"{group} config has no _target_; set {group}._target_=package.module.Class")
    cls = locate(str(target), group)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        model: type[BaseModel] = cls
        return lambda: _validated(model, data, group)
    kwargs = _validated(signature_model(cls), data, group).__dict__
    return lambda: cls(**kwargs)


def locate(target: str, group: str) -> Any:
    """Import `package.module.Name`; a failure is a one-line `ConfigError`."""
    module_name, _, attr = target.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"{group}._target_ {target!r} cannot be imported ({_first_line(exc)})") from None


def signature_model(cls: Callable[..., Any]) -> type[BaseModel]:
    """A pydantic model of a plain class's constructor arguments, so plain agents get typed config too."""
    init = cls.__init__ if isinstance(cls, type) else cls
    hints = typing.get_type_hints(init)
    fields: dict[str, Any] = {}
    extra = "forbid"
    for name, param in list(inspect.signature(init).parameters.items()):
        if name == "self" or param.kind is param.VAR_POSITIONAL:
            continue
        if param.kind is param.VAR_KEYWORD:
            extra = "allow"
            continue
        default = ... if param.default is param.empty else param.default
        fields[name] = (hints.get(name, Any), default)
    config = ConfigDict(extra=extra, arbitrary_types_allowed=True)
    return create_model(f"{getattr(cls, '__name__', 'target')}Config", __config__=config, **fields)


def _validated(model: type[BaseModel], data: dict[str, Any], group: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_line(group, exc, model)) from None


def _validation_line(group: str, exc: ValidationError, model: type[BaseModel]) -> str:
    error = exc.errors()[0]
    key = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {group}.{key}; valid keys: {', '.join(sorted(model.model_fields)) or 'none'}"
    if error["type"] == "missing":
        return f"{group}.{key} is required; set it with {group}.{key}=..."
    if error["type"] == "value_error":
        return f"{group}.{key}: {error['ctx']['error']}" if "ctx" in error else f"{group}.{key}: {error['msg']}"
    branches = [e for e in exc.errors() if e["loc"][:1] == error["loc"][:1]]
    if len(branches) > 1:  # a union field: each branch said why it refused; the loc's tail names the branch
        reasons = " or ".join(dict.fromkeys(e["msg"] for e in branches))
        return f"{group}.{error['loc'][0]}: {reasons} (got {error.get('input')!r})"
    return f"{group}.{key}: {error['msg']} (got {error.get('input')!r})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
