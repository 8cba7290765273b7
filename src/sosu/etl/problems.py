"""Validation problems as users see them: `file:line: column: message`."""

from __future__ import annotations

from dataclasses import dataclass

from sosu.domain.cpr import mask_cpr

MAX_REPORTED = 200


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __post_init__(self) -> None:
        # A file or sheet name, a header or a quoted value may hold a CPR number, in any
        # spelling: masked here, every way a problem is shown (CLI, Data page, log) is safe.
        for name in ("file", "column", "message"):
            object.__setattr__(self, name, mask_cpr(getattr(self, name)))

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
