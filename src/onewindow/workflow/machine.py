"""A state machine declared as data: the states of one kind of work item (a case, a task, later a
complaint work order or a rectification) and the table of the transitions between them.

Each transition is one row: the states it may start from, the state it leads to (None: it keeps the
state), what a person calls it (for messages and pages) and the audit verb it writes. The table is the
only place that says which action is allowed in which state; the services ask it through `require`
(design notes: "a case's and a stage's states are enumerations with an allowed-transition table in one
place")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict


@dataclass(frozen=True)
class Transition:
    """One row of a transition table. `target` None: the action keeps the state (or the caller names
    the state it returns to, e.g. back to where a supplement was asked from)."""

    sources: frozenset[str]
    target: str | None
    label: str
    verb: str = ""


def transition(sources: Iterable[str], target: str | None, label, verb: str = "") -> Transition:
    return Transition(frozenset(str(s) for s in sources), None if target is None else str(target), label, verb)


class Machine:
    """The states of one kind of object (`states`, a TextChoices) and its transition table."""

    def __init__(self, name: str, *, states: type[models.TextChoices], transitions: Mapping[str, Transition]):
        self.name, self.states, self.transitions = name, states, dict(transitions)
        unknown = {s for t in self.transitions.values() for s in (*t.sources, t.target) if s is not None
                   and s not in states.values}
        if unknown:
            raise ValueError(f"machine {name}: unknown states {sorted(unknown)}")

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: str) -> bool:
        return action in self.transitions

    def label(self, action: str) -> str:
        row = self.transitions.get(action)
        return str(row.label) if row is not None else action

    def verb(self, action: str) -> str:
        return self.transitions[action].verb

    def state_label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state

    def allows(self, state: str, action: str) -> bool:
        return state in self.transitions[action].sources

    def allowed_actions(self, state: str) -> list[str]:
        """The actions the table allows from `state`, in the table's order."""
        return [action for action, row in self.transitions.items() if state in row.sources]

    def require(self, state: str, action: str, *, describe: Callable[[], str] | str = "") -> None:
        """Conflict (409) unless the table allows `action` from `state`. `describe` names the object
        for the message (e.g. "办件 DX01-20261125-0001"), a string or a function called only on refusal."""
        if state in self.transitions[action].sources:
            return
        subject = describe() if callable(describe) else describe
        raise Conflict(_("%(subject)s 当前状态为“%(state)s”，不能%(action)s") % {
            "subject": subject or self.name, "state": self.state_label(state), "action": self.label(action)})

    def target(self, state: str, action: str, *, describe: Callable[[], str] | str = "",
               default: str | None = None) -> str:
        """The state `action` leads to from `state` (checked as `require` does); an action that keeps
        the state leads to `default` when given, else back to `state`."""
        self.require(state, action, describe=describe)
        row = self.transitions[action]
        return row.target or default or state
