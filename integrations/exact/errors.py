"""What can go wrong when coachlink talks to Exact Online, as classes callers catch.

    ExactError                 any failed call; ``message`` is Exact's text (or ours)
    ├── Transient              retrying later can help: 5xx, a time-out, a dropped or
    │   │                      unparseable answer
    │   └── RateLimited        a budget (minutely or daily) is spent
    │       └── BudgetSpent    the day's budget, or the share of it a lane may use, is spent:
    │                          nothing helps before ``resets_at``
    └── Refused                Exact said no; the same call will be refused again
        ├── NotFound           the address or the record does not exist (404)
        ├── Reauthenticate     no usable token: a person must log in to Exact again
        └── TokenNotExpired    the token endpoint refuses a refresh while the token lives

``permanent`` says whether the same call can succeed later (healthchecks' convention), so code
that only needs that answer does not list classes.
"""

from __future__ import annotations

import datetime as dt

from coachlink.messages import Message


class ExactError(Exception):
    """A failed call to Exact Online.

    ``messages`` holds Exact's own text, split on the "\\r\\n" it uses between messages;
    ``status`` is the HTTP status of the answer, when there was one. When the text is
    coachlink's own (a time-out, an answer it cannot read, a spent budget), ``said`` keeps it
    as a Message, so a stored copy is shown in the reader's language.
    """

    permanent = True

    def __init__(self, message: str | Message, *, status: int | None = None) -> None:
        self.said = message if isinstance(message, Message) else None
        self.message = str(message)
        self.status = status
        super().__init__(self.message)

    @property
    def messages(self) -> list[str]:
        return [part for part in self.message.split("\r\n") if part.strip()]

    @property
    def stored(self) -> Message | str:
        """What a record keeps of the error: coachlink's Message, or Exact's words."""
        return self.said if self.said is not None else str(self)

    def __str__(self) -> str:
        prefix = f"{self.status}: " if self.status else ""
        return prefix + " / ".join(self.messages)


class Transient(ExactError):
    """Exact failed or did not answer usably; the same call may succeed later."""

    permanent = False


class RateLimited(Transient):
    """Exact's minutely or daily budget of calls for the division is spent."""


class BudgetSpent(RateLimited):
    """The division's calls for the day (or the bulk share of them) are used up until
    ``resets_at`` (aware UTC datetime); retrying before then only spends attempts."""

    def __init__(self, message: str | Message, *, resets_at: dt.datetime) -> None:
        super().__init__(message, status=429)
        self.resets_at = resets_at


class Refused(ExactError):
    """Exact refused the call, in its own words (a business rule, a bad request, no access)."""


class NotFound(Refused):
    """The address or record does not exist in Exact (404)."""


class Reauthenticate(Refused):
    """No usable token: the link must be authenticated again by a person."""


class TokenNotExpired(Refused):
    """The token endpoint refused a refresh because the current access token still lives."""
