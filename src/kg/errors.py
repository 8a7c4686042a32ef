"""Errors that name where the problem is: file, record and field."""
from __future__ import annotations

import re
from dataclasses import dataclass


class KgError(Exception):
    """Base class for problems reported to the user (never a traceback)."""


class InputError(KgError):
    """Bad input: printed as `file: record: field: message`."""

    def __init__(self, file: str, record: str | None, field: str | None, message: str):
        self.file, self.record, self.field, self.message = file, record, field, message
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.file}: {self.record or '-'}: {self.field or '-'}: {self.message}"

    @property
    def errors(self) -> list["InputError"]:
        """Every problem this error stands for (one, or several for InputErrors)."""
        return [self]


class UnreadableError(InputError):
    """The file cannot be read at all (missing, binary, undecodable, not a profile)."""


class InputErrors(InputError):
    """Several problems found in one pass (e.g. every bad field of every record of a file).

    It is an InputError (the first problem's file, record and field) so callers that report one
    problem still work; `errors` holds them all and `line()` prints one line per problem."""

    def __init__(self, errors: list[InputError]):
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        self._errors = sorted(errors, key=sort_key)
        first = self._errors[0]
        super().__init__(first.file, first.record, first.field, first.message)

    @property
    def errors(self) -> list[InputError]:
        return list(self._errors)

    def line(self) -> str:
        if not hasattr(self, "_errors"):  # during __init__
            return super().line()
        return "\n".join(e.line() for e in self._errors)


def natural(text: str) -> tuple:
    """A sort key in which operations[10] comes after operations[2]."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def sort_key(e: InputError) -> tuple:
    """How problems are listed: by file, record, field (operations[2] before operations[10]), message."""
    return (natural(e.file), natural(e.record or ""), natural(e.field or ""), e.message)


@dataclass(frozen=True)
class Where:
    """Where a resource came from: the file, the record in it, and the record's field prefix."""

    file: str
    record: str
    prefix: str = ""


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str
    severity: str = "Violation"
    unreadable: bool = False  # the file could not be read at all (kg validate: exit 2)

    def line(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


def problem_of(e: InputError) -> Problem:
    return Problem(e.file, e.record or "-", e.field or "-", e.message,
                   unreadable=isinstance(e, UnreadableError))
