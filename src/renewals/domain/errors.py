"""The one exception the domain raises: a list of problems, each with a stable code."""

from dataclasses import dataclass, field

from renewals.domain.enums import ErrorCode

Subject = tuple[str | int, ...]
"""What a problem is about, in domain terms: a part of the request, and for a list part which
item and attribute: ("selection",), ("subscription", 2), ("change", 0, "seats"),
("recipient", 1, "email"), ("currency",). The API layer maps it to a field path of its input."""


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    about: Subject | None = None


@dataclass
class DomainError(Exception):
    """Raised with every problem found, so a client can fix them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def one(cls, code: ErrorCode, message: str, about: Subject | None = None) -> "DomainError":
        return cls([Problem(code, message, about)])

    @property
    def codes(self) -> list[ErrorCode]:
        return [p.code for p in self.problems]
