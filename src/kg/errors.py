"""Errors that name where the problem is: file, record and field."""
from __future__ import annotations


class KgError(Exception):
    """Base class for problems reported to the user (never a traceback)."""


class InputError(KgError):
    """Bad input: printed as `file: record: field: message`."""

    def __init__(self, file: str, record: str | None, field: str | None, message: str):
        self.file, self.record, self.field, self.message = file, record, field, message
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.file}: {self.record or '-'}: {self.field or '-'}: {self.message}"


class UnreadableError(InputError):
    """The file cannot be read at all (missing, binary, undecodable, not a profile)."""
