"""Validation problems as users see them: `file:line: column: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Six digits, optional hyphen, four digits: anything shaped like a CPR number is
# masked in every message, whatever rule produced it.
_CPR_SHAPE = re.compile(r"\d{6}-?\d{4}")
MAX_REPORTED = 200


def mask_cpr(text: str) -> str:
    return _CPR_SHAPE.sub("XXXXXX-XXXX", text)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        column = f" {self.column}:" if self.column else ""
        return mask_cpr(f"{where}:{column} {self.message}")


class ValidationFailed(Exception):
    """Raised when input is refused; carries every problem found."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        super().__init__(f"{total or len(problems)} fejl i data")
        self.problems = problems
        self.total = total if total is not None else len(problems)

    def report(self, limit: int = MAX_REPORTED) -> list[str]:
        lines = [str(p) for p in sorted(self.problems)[:limit]]
        hidden = self.total - len(lines)
        if hidden > 0:
            lines.append(f"… og {hidden} fejl mere (ret dem ovenfor først)")
        return lines
