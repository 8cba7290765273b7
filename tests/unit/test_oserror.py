"""Why a file could not be read or written, in Danish, wherever a message says so."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from sosu.domain.oserror import reason
from tests.support import ROOT


def _raised(action: object) -> OSError:
    with pytest.raises(OSError) as raised:
        action()  # type: ignore[operator]
    return raised.value


def test_the_systems_own_errors_are_said_in_danish(tmp_path: Path) -> None:
    afile = tmp_path / "fil.csv"
    afile.write_text("x", encoding="utf-8")
    assert reason(_raised(lambda: (tmp_path / "mangler.csv").read_bytes())) == "findes ikke"
    assert reason(_raised(lambda: open(tmp_path, "wb"))) == "er en mappe"  # noqa: SIM115
    assert reason(_raised(lambda: (afile / "under").mkdir())) == (
        "en del af stien er ikke en mappe")
    assert reason(_raised(lambda: afile.rename(tmp_path / ("x" * 300)))) == (
        "navnet er for langt")


def test_an_error_without_a_danish_wording_keeps_its_symbolic_name() -> None:
    assert reason(OSError(errno.ENOTSUP, "Operation not supported")) == "systemfejl ENOTSUP"
    assert reason(OSError("no number at all")) == "systemfejl (OSError)"


def test_no_message_quotes_the_english_text_of_an_os_error() -> None:
    """`strerror` is English ("No such file or directory"): every message that says why a
    file failed goes through `reason`."""
    quoting = [f"{path.relative_to(ROOT)}:{number}"
               for path in sorted((ROOT / "src" / "sosu").rglob("*.py"))
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"\.strerror\b", line)]
    assert quoting == []
