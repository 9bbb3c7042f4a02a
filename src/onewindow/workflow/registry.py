"""Actions declared once. A registry holds every action of one kind of work item (cases now; complaint
work orders and rectifications later): its name and label, its typed input (a pydantic model), the
state-machine transitions it needs, who may take it (`allowed`, built on the app's access rules), the
options a form must offer (`choices`) and the ONE service function it calls (`perform`).

The API, the workbench and the CLI ask the registry what a person may do now (`available`) and act
through it (`perform`), so they cannot disagree: adding an action is one entry and one service.
Availability is a courtesy computed for pages; the service checks every rule again under its lock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Union, cast

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic import ValidationError as PydanticValidationError

from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from .machine import Machine


class Params(BaseModel):
    """The typed input of an action. Strict (a JSON string is not an integer) and closed (a misspelt
    parameter is refused, never dropped)."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Multiline:
    """Metadata for a text parameter a form shows as a text area (reasons, opinions)."""


MULTILINE = Multiline()
LongText = Annotated[str, MULTILINE]


@dataclass(frozen=True)
class Labels:
    """Metadata for a Literal parameter: what a person reads for each value (a TextChoices' labels)."""

    choices: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, text_choices) -> Labels:
        return cls(tuple(text_choices.choices))


@dataclass(frozen=True)
class Choice:
    """One option a form must offer for a parameter (a task, a material, a fee …)."""

    value: int | str
    label: str
    selected: bool = False


Choices = dict[str, list[Choice]]


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    done_message: Any
    params: type[Params]
    transitions: tuple[str, ...]
    allowed: Callable[[Any, Any], bool]
    perform: Callable[[Any, Any, Any, datetime | None], Any]
    choices: Callable[[Any, Any], Choices] | None = None
    # Why the action does not apply to this object now although its state allows it (e.g. the item
    # allows no extension), or None: checked like the state (Conflict), before the person.
    blocked: Callable[[Any], str | None] | None = None
    description: str = ""

    def required_fields(self) -> list[str]:
        return [name for name, info in self.params.model_fields.items() if info.is_required()]


@dataclass
class Offer:
    """An action available to a person on an object now, with the options its form must offer."""

    action: Action
    choices: Choices = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.action.name

    def as_dict(self) -> dict:
        """As the API and the CLI show it: the action, its label, the name of its params model, the
        required parameters and each parameter's options."""
        return {"action": self.action.name, "label": str(self.action.label),
                "params_schema": self.action.params.__name__, "required": self.action.required_fields(),
                "choices": {name: [{"value": c.value, "label": str(c.label), "selected": c.selected}
                                   for c in options] for name, options in self.choices.items()}}


# pydantic error type -> a message a person reads (Chinese source, translated by gettext)
def _message(error: Mapping[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    messages = {
        "missing": _("缺少必填参数"),
        "extra_forbidden": _("没有这个参数"),
        "int_type": _("应为整数"), "int_parsing": _("应为整数"), "int_from_float": _("应为整数"),
        "string_type": _("应为文本"),
        "bool_type": _("应为 true 或 false"), "bool_parsing": _("应为 true 或 false"),
        "list_type": _("应为列表"), "dict_type": _("应为键值对象"), "model_type": _("应为键值对象"),
        "model_attributes_type": _("应为键值对象"),
        "date_type": _("日期格式应为 YYYY-MM-DD"), "date_parsing": _("日期格式应为 YYYY-MM-DD"),
        "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD"),
    }
    if kind in messages:
        return messages[kind]
    if kind == "literal_error":
        return _("应为以下之一：%(all)s") % {"all": ctx.get("expected", "")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("不能小于 %(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("不能大于 %(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字") % {"n": ctx.get("max_length")}
    if kind == "too_long":
        return _("最多 %(n)s 项") % {"n": ctx.get("max_length")}
    if kind == "too_short":
        return _("至少 %(n)s 项") % {"n": ctx.get("min_length")}
    return str(error.get("msg", _("参数无效")))


def domain_error(exc: PydanticValidationError, *, prefix: str = "") -> ValidationError:
    """The first pydantic error as a ValidationError naming the field (dotted path, e.g. defects.0.reason)."""
    first = exc.errors()[0]
    path = ".".join(str(part) for part in first.get("loc", ()))
    name = ".".join(part for part in (prefix, path) if part) or None
    return ValidationError(_message(first), field=name)


class Registry:
    """Every action of one kind of object. `state_of(obj)` reads the object's state for `machine`;
    `describe(obj)` names the object in messages ("办件 DX01-…"). `schema_prefix` (by default the kind in
    CamelCase) starts the names of the API body models (`CaseAcceptAction`).

    The OpenAPI document keys its schemas by model name only, so two registries' models of one name
    would overwrite each other there: every registry's parameter and body model names are unique
    across all registries (checked when an action is registered or its body model made)."""

    _schema_names: ClassVar[dict[str, str]] = {}  # model name -> "module.qualname" of the model that has it

    def __init__(self, kind: str, *, machine: Machine, describe: Callable[[Any], str],
                 state_of: Callable[[Any], str] = lambda obj: obj.state, schema_prefix: str | None = None):
        self.kind, self.machine, self.describe, self.state_of = kind, machine, describe, state_of
        self.schema_prefix = schema_prefix or "".join(part.title() for part in kind.split("_"))
        self._actions: dict[str, Action] = {}
        self._union: Any = None
        self._variants: dict[str, type[BaseModel]] = {}

    # -- declaring -----------------------------------------------------------------------------------

    def register(self, action: Action) -> Action:
        if action.name in self._actions:
            raise ValueError(f"{self.kind}: action {action.name} registered twice")
        missing = [t for t in action.transitions if t not in self.machine]
        if missing or not action.transitions:
            raise ValueError(f"{self.kind}: action {action.name} needs transitions of {self.machine.name}, "
                             f"unknown: {missing}")
        self._claim(action.params.__name__, f"{action.params.__module__}.{action.params.__qualname__}")
        self._actions[action.name] = action
        self._union = None
        return action

    def _claim(self, name: str, owner: str) -> None:
        """Reserve a schema name for one model (the same model may be reused by several actions)."""
        holder = Registry._schema_names.setdefault(name, owner)
        if holder != owner:
            raise ValueError(f"{self.kind}: schema name {name} of {owner} is already used by {holder}; "
                             f"rename one so the OpenAPI document keeps both")

    def __iter__(self):
        return iter(self._actions.values())

    def names(self) -> list[str]:
        return list(self._actions)

    def get(self, name: str) -> Action:
        action = self._actions.get(name) if isinstance(name, str) else None
        if action is None:
            raise ValidationError(_("未知操作“%(a)s”，可选：%(all)s") % {"a": name, "all": ", ".join(self._actions)},
                                  field="action")
        return action

    # -- asking --------------------------------------------------------------------------------------

    def state_allows(self, obj, action: Action) -> bool:
        state = self.state_of(obj)
        return any(self.machine.allows(state, t) for t in action.transitions)

    def applies(self, obj, action: Action) -> bool:
        """The state allows the action and nothing about the object blocks it."""
        return self.state_allows(obj, action) and not (action.blocked and action.blocked(obj))

    def offer(self, actor, obj, action: Action) -> Offer | None:
        """The action with its form's options when `actor` may take it on `obj` now: the state allows
        it, the person may, and every required parameter that picks from options has at least one."""
        if not self.applies(obj, action) or not action.allowed(actor, obj):
            return None
        choices = action.choices(actor, obj) if action.choices else {}
        if any(not choices[name] for name in action.required_fields() if name in choices):
            return None
        return Offer(action, choices)

    def offers(self, actor, obj) -> list[Offer]:
        return [offer for action in self._actions.values() if (offer := self.offer(actor, obj, action))]

    def available(self, actor, obj) -> list[Action]:
        return [offer.action for offer in self.offers(actor, obj)]

    # -- acting --------------------------------------------------------------------------------------

    def parse(self, action: Action, params, *, strict: bool | None = None) -> Params:
        """`params` (a dict, a JSON text or the model itself) validated into the action's model; a bad
        value raises ValidationError naming the field."""
        if isinstance(params, action.params):
            return params
        if params is None:
            params = {}
        try:
            if isinstance(params, str | bytes):
                return action.params.model_validate_json(params or "{}", strict=strict)
            if not isinstance(params, Mapping):
                raise ValidationError(_("参数应为键值对象"), field="params")
            return action.params.model_validate(dict(params), strict=strict)
        except PydanticValidationError as exc:
            raise domain_error(exc) from None

    def perform(self, actor, obj, name: str, params=None, now: datetime | None = None, *,
                strict: bool | None = None):
        """Validate `params`, check the state and what blocks the action (Conflict), then the person
        (PermissionDenied), then call the action's one service, which checks every rule again under its
        lock and returns its result."""
        action = self.get(name)
        parsed = self.parse(action, params, strict=strict)
        if not self.state_allows(obj, action):
            raise Conflict(_("%(subject)s 当前状态为“%(state)s”，不能%(action)s") % {
                "subject": self.describe(obj), "state": self.machine.state_label(self.state_of(obj)),
                "action": action.label})
        reason = action.blocked(obj) if action.blocked else None
        if reason:
            raise Conflict(reason)
        if not action.allowed(actor, obj):
            raise PermissionDenied(_("您不能对%(subject)s办理“%(action)s”") % {
                "subject": self.describe(obj), "action": action.label})
        return action.perform(actor, obj, parsed, now)

    # -- the API's body --------------------------------------------------------------------------------

    def variant(self, name: str) -> type[BaseModel]:
        """`{"action": "<name>", "params": {...}}` as a model of its own, for the API's union."""
        if name not in self._variants:
            action = self._actions[name]
            params_default: Any = ... if action.required_fields() else Field(default_factory=action.params)
            model_name = self.schema_prefix + "".join(part.title() for part in name.split("_")) + "Action"
            self._claim(model_name, f"{action.params.__module__}:{self.machine.name}:{name}")
            self._variants[name] = create_model(
                model_name, __config__=ConfigDict(extra="forbid"),
                __doc__=f"{action.label}: {action.description}".strip(": "),
                # a Literal built at run time: mypy cannot see it as a type form
                action=(cast(Any, Literal[name]), Field(description=str(action.label))),
                params=(action.params, params_default))
        return self._variants[name]

    def union_schema(self):
        """The discriminated union of every action's body, keyed on `action` (for the API: the OpenAPI
        document then names each action's parameters)."""
        if self._union is None:
            variants = tuple(self.variant(name) for name in self._actions)
            self._union = Annotated[Union[variants], Field(discriminator="action")]  # noqa: UP007
        return self._union
