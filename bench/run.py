"""Load benchmark: `sosu load` (all validation) against DuckDB's bare read_csv.

A first measurement for the scale issue: the demo municipality replicated N times
(`python bench/run.py [N]`, default 100 ≈ 1.5 million sick-leave rows), both
written to a database file, wall time and peak memory printed side by side.
"""

from __future__ import annotations

import csv
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.contract import FILES  # noqa: E402
from etl.demo import write_demo  # noqa: E402
from etl.load import load_folder  # noqa: E402

TODAY = dt.date(2026, 11, 22)


def replicate(demo: Path, out: Path, copies: int) -> int:
    """Stream N renamed copies of each demo file to disk; return sick-leave rows."""
    out.mkdir(parents=True, exist_ok=True)
    sick_rows = 0
    for spec in FILES:
        with open(demo / f"{spec.name}.csv", encoding="utf-8") as source:
            header, *rows = list(csv.reader(source))
        with open(out / f"{spec.name}.csv", "w", encoding="utf-8", newline="") as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow(header)
            for copy in range(copies):
                writer.writerows([[f"{r[0]}-{copy}", *r[1:]] for r in rows])
        if spec.name == "sygefravaer":
            sick_rows = len(rows) * copies
    return sick_rows


def bare_read(folder: Path, db: Path) -> float:
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    for spec in FILES:
        con.execute(f"CREATE TABLE {spec.name} AS SELECT * FROM read_csv(?)",
                    [str(folder / f"{spec.name}.csv")])
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - start


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_demo(work / "demo", TODAY)
        rows = replicate(work / "demo", work / "big", copies)
        raw = min(bare_read(work / "big", work / f"raw{i}.duckdb") for i in range(2))
        start = time.perf_counter()
        load_folder(work / "big", work / "sosu.duckdb", today=TODAY)
        full = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'copies':>8} {'sick rows':>12} {'read_csv s':>11} {'sosu load s':>12} "
          f"{'ratio':>6} {'peak MiB':>9}")
    print(f"{copies:>8} {rows:>12,} {raw:>11.2f} {full:>12.2f} {full / raw:>6.2f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
