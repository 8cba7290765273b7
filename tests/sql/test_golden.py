"""Every figure stays as it is: `sosu kpi --json` compared byte for byte with tests/golden/.

The demo is written and loaded as of tests/support.TODAY (the demo generator and the
load's date checks depend on the day), the hand-made fixtures as they are. A changed
figure fails here with a diff of the two outputs, pretty-printed. A change meant to move
figures rewrites the files with `pytest tests/sql/test_golden.py --update-golden`; the
diff of tests/golden/ then shows every figure it moved.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from sosu.cli.main import main
from tests.support import GOLDEN

# golden file -> (database, --site or None)
CASES = {
    "demo": ("demo", None),
    "demo-doegnplejen-nord": ("demo", "Døgnplejen Nord"),
    "minimal": ("minimal", None),
    "minimal-plejecenter-aa": ("minimal", "Plejecenter Å"),
    "minimal-doegnplejen-oest": ("minimal", "Døgnplejen Øst"),
    "minimal-with-initiatives": ("initiatives", None),
    "early-warning": ("early_warning", None),
}


@pytest.fixture(scope="module")
def databases(demo_db: Path, minimal_session_db: Path, early_warning_db: Path,
              initiatives_db: Path) -> dict[str, Path]:
    return {"demo": demo_db, "minimal": minimal_session_db,
            "initiatives": initiatives_db, "early_warning": early_warning_db}


def _readable(output: bytes) -> list[str]:
    return json.dumps(json.loads(output), ensure_ascii=False, indent=1).splitlines()


@pytest.mark.parametrize("name", CASES)
def test_kpi_json_is_unchanged(name: str, databases: dict[str, Path],
                               capsysbinary: pytest.CaptureFixture[bytes],
                               request: pytest.FixtureRequest) -> None:
    database, site = CASES[name]
    argv = ["kpi", "--db", str(databases[database]), "--json"]
    assert main(argv + (["--site", site] if site else [])) == 0
    output = capsysbinary.readouterr().out
    golden = GOLDEN / f"kpi-{name}.json"
    if request.config.getoption("--update-golden"):
        golden.write_bytes(output)
    assert golden.exists(), f"{golden} is missing: run pytest --update-golden once"
    expected = golden.read_bytes()
    if output != expected:
        diff = "\n".join(difflib.unified_diff(_readable(expected), _readable(output),
                                              str(golden), "sosu kpi --json now",
                                              lineterm="", n=4))
        pytest.fail(f"sosu kpi --json changed for {name}:\n{diff or 'only in its bytes'}",
                    pytrace=False)
