"""The one exception the Exact client raises."""

from __future__ import annotations


class ExactError(Exception):
    """A failed call to Exact Online.

    ``messages`` holds Exact's own text, split on the "\\r\\n" it uses between messages;
    ``permanent`` says whether retrying the same call can help (False: a timeout, 502/503/504,
    429; True: a refusal such as 400/401/403/404 or a 500 carrying a business message);
    ``code`` names the case for callers that act on it (for example "reauthenticate").
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        permanent: bool,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.permanent = permanent
        self.code = code

    @property
    def messages(self) -> list[str]:
        return [part for part in self.message.split("\r\n") if part.strip()]

    def __str__(self) -> str:
        prefix = f"{self.status}: " if self.status else ""
        return prefix + " / ".join(self.messages)
