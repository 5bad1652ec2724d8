"""The one exception the domain raises: a list of problems, each with a stable code."""

from dataclasses import dataclass, field

from renewals.domain.enums import ErrorCode


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


@dataclass
class DomainError(Exception):
    """Raised with every problem found, so a client can fix them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def one(
        cls, code: ErrorCode, message: str, field_path: tuple[str, ...] | None = None
    ) -> "DomainError":
        return cls([Problem(code, message, field_path)])

    @property
    def codes(self) -> list[ErrorCode]:
        return [p.code for p in self.problems]
