"""The SMS backend interface: `send_messages` answers one SmsResult per message, in order."""

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self


@dataclass(frozen=True)
class SmsMessage:
    """One text to one number. `reference` is our outbox id, so a gateway can drop a repeat."""

    to: str
    text: str
    reference: str = ""


@dataclass(frozen=True)
class SmsResult:
    """What became of one message. `permanent`: retrying cannot help (a number the gateway
    refuses), so the outbox gives up at once instead of after every retry."""

    ok: bool
    error: str = ""
    permanent: bool = False
    gateway_id: str = ""


class BaseSmsBackend:
    """Subclasses implement `send_messages`; `open`/`close` hold a connection if they need
    one. Usable as a context manager, like Django's mail backends."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def open(self) -> bool:
        return False

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        try:
            self.open()
        except Exception:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        raise NotImplementedError("subclasses of BaseSmsBackend must implement send_messages()")
