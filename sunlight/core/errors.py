"""Domain errors raised by services. Messages are Chinese: they reach the user as they are."""

from dataclasses import dataclass, field


class DomainError(Exception):
    """A business rule refused the operation; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or the user may not see it (never say which)."""

    def __init__(self, message: str = "对象不存在或无权查看") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The user may see the object but not do this to it."""

    def __init__(self, message: str = "无权执行此操作") -> None:
        super().__init__(message)


class InvalidTransition(DomainError):
    """The object's state does not allow this step."""


@dataclass
class FieldProblem:
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"第{self.row}行 " if self.row is not None else ""
        return f"{where}{self.field}：{self.message}"


@dataclass
class ValidationFailed(DomainError):
    """Input was refused; `problems` lists every one found, not only the first."""

    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("；".join(str(p) for p in self.problems[:20]) or "输入有误")

    def __str__(self) -> str:
        return self.message
