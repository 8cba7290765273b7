"""The quarterly PDF: CPU time (user + sys, this process) to make one report on the demo
municipality, split into gathering the figures (query layer) and drawing the PDF.

    python bench/report.py [--runs N] [--work DIR]

Each role's report is made once to warm up (imports, fonts), then N times; the median
and the worst are printed. CPU time, not wall time: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)
QUARTER = "2025Q3"
SITE = "Døgnplejen Nord"


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)

    from sosu.domain.roles import Viewer
    from sosu.domain.targets import load_targets
    from sosu.etl.demo import write_demo
    from sosu.etl.load import load_folder
    from sosu.report import pdf
    from sosu.report.content import Quarter, gather
    from sosu.store.db import connect_read_only

    with tempfile.TemporaryDirectory(prefix="sosu-bench-report-") as tmp:
        work = args.work or Path(tmp)
        db = work / "sosu.duckdb"
        if not db.exists():
            write_demo(work / "csv", today=TODAY)
            load_folder(work / "csv", db, today=TODAY)
        con = connect_read_only(db)
        views = {"kvalitetsforum": (Viewer("kf", "kvalitetsforum"), None),
                 "leder, eget sted": (Viewer("leder", "leder", (SITE,)), SITE)}
        print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
              f"{args.runs} runs, CPU seconds (user + sys)")
        for name, (viewer, site) in views.items():
            gathered, drawn, sizes = [], [], []
            for run in range(args.runs + 1):
                start = _cpu()
                content = gather(con, viewer, Quarter.parse(QUARTER), load_targets(), site)
                middle = _cpu()
                document = pdf.build(content)
                end = _cpu()
                if run:  # the first run warms up imports and fonts
                    gathered.append(middle - start)
                    drawn.append(end - middle)
                    sizes.append(len(document))
            print(f"{name:18} gather median {statistics.median(gathered):.2f} s "
                  f"(worst {max(gathered):.2f}) · draw PDF median "
                  f"{statistics.median(drawn):.2f} s (worst {max(drawn):.2f}) · "
                  f"{sizes[-1] / 1024:.0f} KiB")
        con.close()


if __name__ == "__main__":
    main()
