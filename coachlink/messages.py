"""coachlink's own messages stored as an id and its values, said in the reader's language.

A worker (Celery) refuses an invoice in whatever language it runs in, but the user reads the
record later, in theirs. So a message is kept as its English message id (marked with
``gettext_noop`` so makemessages finds it) and its raw values; it is translated and its values
formatted (a choice's label, a time, a number) only when it is shown. The English rendering is
stored beside it for search, logs and the admin.

Exact's own words are not a Message: they stay as Exact said them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string

# A value stored as {KIND: raw, ...}; anything else is shown as it is.
CHOICE, MOMENT, TIME, NUMBER = "choice", "moment", "time", "number"


def choice_value(member: models.Choices) -> dict[str, str]:
    """A member of a Choices class, shown as its label in the reader's language."""
    kind = type(member)
    return {CHOICE: f"{kind.__module__}.{kind.__qualname__}", "value": member.value}


def moment_value(moment: dt.datetime) -> dict[str, str]:
    """A date and time, shown in the reader's format and the site's time zone."""
    return {MOMENT: moment.isoformat()}


def time_value(moment: dt.datetime) -> dict[str, str]:
    """The time of day of ``moment``, shown in the reader's format and the site's time zone."""
    return {TIME: moment.isoformat()}


def number_value(number: Decimal, *, decimals: int | None = None) -> dict[str, Any]:
    """A number, shown with the reader's decimal separator."""
    return {NUMBER: str(number), "decimals": decimals}


def _shown(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if CHOICE in value:
        kind = import_string(value[CHOICE])
        if not (isinstance(kind, type) and issubclass(kind, models.Choices)):
            raise TypeError(f"{value[CHOICE]} is no Choices class")
        return str(kind(value["value"]).label)
    if MOMENT in value:
        moment = timezone.localtime(dt.datetime.fromisoformat(value[MOMENT]))
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if TIME in value:
        moment = timezone.localtime(dt.datetime.fromisoformat(value[TIME]))
        return formats.time_format(moment, "TIME_FORMAT")
    if NUMBER in value:
        return formats.number_format(Decimal(value[NUMBER]), decimal_pos=value.get("decimals"))
    raise TypeError(f"Unknown kind of value: {sorted(value)}")


class Message:
    """One of coachlink's messages: ``id`` is its English text with %(name)s placeholders,
    ``params`` the raw values (plain, or made by the *_value functions above)."""

    __slots__ = ("id", "params")

    def __init__(self, id: str, /, **params: Any) -> None:
        self.id = id
        self.params = params

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.id, self.params) == (other.id, other.params)

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Message({self.id!r}, **{self.params!r})"

    def __str__(self) -> str:
        """The message in the active language."""
        # Always formatted, so a placeholder without its value fails rather than shows.
        text = translation.gettext(self.id)
        return text % {name: _shown(value) for name, value in self.params.items()}

    def english(self) -> str:
        with translation.override("en"):
            return str(self)

    def stored(self) -> dict[str, Any]:
        return {"id": self.id, "params": self.params}

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Message:
        return cls(stored["id"], **stored.get("params", {}))


def message_fields(message: Message | str, *, prefix: str = "error_") -> dict[str, Any]:
    """The model fields that keep ``message``: its English text in ``<prefix>message`` and, when
    it is coachlink's own, its id and values in ``<prefix>said`` (None for Exact's words)."""
    if isinstance(message, Message):
        return {f"{prefix}message": message.english(), f"{prefix}said": message.stored()}
    return {f"{prefix}message": message, f"{prefix}said": None}


def message_text(*, text: str, said: Mapping[str, Any] | None) -> str:
    """A stored message in the active language. A row stored before messages kept their id
    shows its text (translated when that text is one of coachlink's messages without values);
    a message whose id or values no longer fit shows its English text rather than nothing."""
    if not said:
        return translation.gettext(text) if text else ""
    try:
        return str(Message.from_stored(said))
    except (KeyError, TypeError, ValueError, ImportError, AttributeError):
        return text


class SaysWhy:
    """A model with ``error_message`` (English) and ``error_said`` (message_fields): its
    message in the reader's language, as ``error_text``."""

    error_message: str
    error_said: dict | None

    @property
    def error_text(self) -> str:
        return message_text(text=self.error_message, said=self.error_said)

    def error_set(self, message: Message | str) -> None:
        """Keep ``message`` (not saved yet)."""
        for name, value in message_fields(message).items():
            setattr(self, name, value)
