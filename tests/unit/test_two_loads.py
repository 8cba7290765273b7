"""Two loads seen by one viewer (metrics.release.joined, store.published): a release is
protected together with the one its scope was shown before, on hand-made cohort tables.
The attacker keeps last month's release, gets this month's, and knows which cells kept
their value (the worst case)."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sosu.metrics import linked, release
from sosu.metrics.release import MUNICIPALITY, SITE
from sosu.store.published import KEPT, Published, PublishedStore

COUNTS = ["ansatte", "gennemfoert", "frafald", "frafald_hovedforloeb", "aktive",
          "ansat_efter"]


def _cohort(site: str, ansatte: int, gennemfoert: int, frafald: int,
            aktive: int) -> dict[str, object]:
    return {SITE: site, "uddannelse": "SSA", "aargang": 2020, "ansatte": ansatte,
            "gennemfoert": gennemfoert, "frafald": frafald, "frafald_hovedforloeb": frafald,
            "aktive": aktive, "ansat_efter": gennemfoert, "andel_frafald": frafald / ansatte}


def _frames(rows: list[dict[str, object]]) -> dict[str, pd.DataFrame]:
    total = {c: sum(int(r[c]) for r in rows) for c in COUNTS}  # type: ignore[call-overload]
    whole = _cohort(MUNICIPALITY, total["ansatte"], total["gennemfoert"], total["frafald"],
                    total["aktive"])
    return {"cohorts": pd.DataFrame([*rows, whole])}


# October: A lost 3 students (hidden). November: one more left A, and 3 are still active.
OCTOBER = [_cohort("A", 40, 33, 3, 4), _cohort("B", 40, 36, 0, 4), _cohort("C", 30, 20, 5, 5)]
NOVEMBER = [_cohort("A", 40, 33, 4, 3), _cohort("B", 40, 36, 0, 4), _cohort("C", 30, 20, 5, 5)]


def _recomputed(now: release.Release, before: Published | list[Published]) -> list[str]:
    """What a viewer holding both releases (or all) works out exactly, of the cells any
    hid."""
    keys = release.key(now.system.cells).to_numpy(dtype=str)
    joint = release.joined(now.system, keys, before)
    n = len(keys)
    known = np.zeros(joint.size, dtype=bool)
    known[:n] = ~now.hidden & ~now.system.cells.virtual.to_numpy(dtype=bool)
    known |= joint.flag("fixed")
    virtual = joint.cells.virtual.to_numpy(dtype=bool)
    told_hidden = np.zeros(joint.size, dtype=bool)
    told_hidden[:n] = now.hidden
    found = linked.determined(joint, ~known & ~virtual) & linked.sensitive(joint, told_hidden)
    names = release.key(joint.cells).str.replace("\x1f", "/")
    return [f"{names.iloc[i]}{' (før)' if joint.flag('earlier')[i] else ''}"
            f"={joint.cells.value.iloc[i]:g}" for i in np.flatnonzero(found)]


def _states(made: release.Release) -> pd.DataFrame:
    return pd.DataFrame({"value": made.system.cells.value.to_numpy(),
                         "hidden": made.hidden}, index=release.key(made.keys))


def test_alone_the_next_release_gives_last_months_hidden_count_back() -> None:
    """The leak the protection closes, so that the test below can fail: protected on its
    own, November's release and October's together give October's 3 dropouts at A."""
    october = release.build(_frames(OCTOBER), 3)
    november = release.build(_frames(NOVEMBER), 3)
    assert october.shown_as is not None
    leaks = _recomputed(november, october.shown_as)
    assert "kohorte/A/SSA/2020//frafald_hovedforloeb (før)=3" in leaks, leaks


def test_protected_together_nothing_of_either_month_is_recomputable() -> None:
    october = release.build(_frames(OCTOBER), 3)
    assert october.shown_as is not None
    asked: list[str] = []

    def shown_before(fingerprint: str) -> Published | None:
        asked.append(fingerprint)
        return october.shown_as

    november = release.build(_frames(NOVEMBER), 3, before=shown_before)
    assert _recomputed(november, october.shown_as) == []
    assert november.shown_as is not None
    assert november.shown_as.previous == october.shown_as.fingerprint
    assert asked == [november.shown_as.fingerprint]
    # What kept its value keeps its state: hidden stays hidden, shown stays shown.
    before, now = _states(october), _states(november)
    same = before.index.intersection(now.index)
    same = same[before.value[same].to_numpy() == now.value[same].to_numpy()]
    assert len(same) > 10
    assert (now.hidden[same].to_numpy() == before.hidden[same].to_numpy()).all()


def test_the_same_figures_made_again_give_the_same_release() -> None:
    """A restart, a rollback or a new version makes a release from figures the scope was
    shown already: protected together with that one, it hides exactly what it hid."""
    october = release.build(_frames(OCTOBER), 3)
    again = release.build(_frames(OCTOBER), 3, before=lambda _f: october.shown_as)
    assert (again.hidden == october.hidden).all()
    for name, table in october.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table)


def test_a_cell_shown_before_is_not_hidden_to_protect_another() -> None:
    """B's completers (36) were shown in October and are still 36: hiding them now hides
    nothing from a viewer who kept October. Of A's row, the protection hides what changed
    instead, and the leak stays closed."""
    october = release.build(_frames(OCTOBER), 3)
    assert october.shown_as is not None
    before = _states(october)
    shown_then = before.index[~before.hidden.to_numpy()]
    november = release.build(_frames(NOVEMBER), 3, before=lambda _f: october.shown_as)
    now = _states(november)
    for cell in shown_then.intersection(now.index):
        if now.value[cell] == before.value[cell]:
            assert not now.hidden[cell], cell


def _published(fingerprint: str, previous: str = "", n: int = 3) -> Published:
    return Published(
        fingerprint=fingerprint, previous=previous,
        keys=np.array([f"kohorte\x1fA\x1fSSA\x1f2020\x1f\x1fm{i} æø" for i in range(n)]),
        values=np.arange(n, dtype="float64"), small=np.array([True, False, False][:n]),
        virtual=np.zeros(n, dtype=bool), hidden=np.array([True, True, False][:n]),
        equation=np.zeros(n, dtype=np.int64), cell=np.arange(n, dtype=np.int64),
        coefficient=np.array([1.0, -1.0, -1.0][:n]))


def test_the_store_keeps_each_release_owner_only_and_gives_the_newest(
        tmp_path: Path) -> None:
    store = PublishedStore(tmp_path / "sosu-udgivet" / "scope")
    assert store.newest() is None and store.before("x") is None
    first = _published("a" * 32)
    store.keep(first)
    read = store.entry("a" * 32)
    assert read is not None
    for name in ("keys", "values", "small", "virtual", "hidden", "equation", "cell",
                 "coefficient"):
        np.testing.assert_array_equal(getattr(read, name), getattr(first, name))
    store.keep(_published("b" * 32, previous="a" * 32))
    newest = store.newest()
    assert newest is not None and newest.fingerprint == "b" * 32
    assert newest.previous == "a" * 32
    # The same figures again: that release, not the newest.
    same = store.before("a" * 32)
    assert same is not None and same.fingerprint == "a" * 32
    other = store.before("c" * 32)
    assert other is not None and other.fingerprint == "b" * 32
    for folder in (tmp_path / "sosu-udgivet", store.folder):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    for path in store.folder.iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_store_keeps_the_newest_and_reads_a_damaged_file_as_none(
        tmp_path: Path) -> None:
    store = PublishedStore(tmp_path / "scope")
    for number in range(KEPT + 3):
        store.keep(_published(f"{number:032d}"))
    kept = sorted(p.stem for p in store.folder.glob("*.npz"))
    assert kept == [f"{n:032d}" for n in range(3, KEPT + 3)]
    (store.folder / f"{KEPT + 2:032d}.npz").write_bytes(b"not a release")
    assert store.entry(f"{KEPT + 2:032d}") is None
    newest = store.newest()
    assert newest is not None and newest.fingerprint == f"{KEPT + 1:032d}"


def test_a_changed_cell_is_two_cells_and_a_change_whose_direction_is_known() -> None:
    """A's dropouts went from 3 to 4: last month's 3 is a cell of its own, and so is the
    change (1, upwards): now - before - change = 0. A viewer who knows counts only grow
    would otherwise narrow last month's hidden counts (24 pinned on the demo)."""
    october = release.build(_frames(OCTOBER), 3)
    november = release.build(_frames(NOVEMBER), 3)
    assert october.shown_as is not None
    keys = release.key(november.system.cells).to_numpy(dtype=str)
    joint = release.joined(november.system, keys, october.shown_as)
    names = release.key(joint.cells)
    dropouts = "kohorte\x1fA\x1fSSA\x1f2020\x1f\x1ffrafald"
    now = int(np.flatnonzero(names == dropouts)[0])
    (before,) = np.flatnonzero((names == dropouts).to_numpy() & joint.flag("earlier"))
    (change,) = np.flatnonzero(names == dropouts.replace("kohorte", "kohorte~endring"))
    assert joint.cells.value[[now, before, change]].tolist() == [4.0, 3.0, 1.0]
    assert joint.cells.virtual[change] and not joint.cells.small[change]
    matrix = joint.matrix().toarray()
    rows = matrix[:, change] != 0
    assert any(matrix[row, now] == 1 and matrix[row, before] == -1 and matrix[row, change] == -1
               and np.count_nonzero(matrix[row]) == 3 for row in np.flatnonzero(rows))
    aktive = "kohorte\x1fA\x1fSSA\x1f2020\x1f\x1faktive"  # 4 -> 3: downwards
    (down,) = np.flatnonzero(names == aktive.replace("kohorte", "kohorte~endring"))
    assert any(matrix[row, down] == 1 for row in np.flatnonzero(matrix[:, down] != 0))


def _site_rows(figures: dict[str, tuple[int, int, int, int]]) -> list[dict[str, object]]:
    return [_cohort(site, *counts) for site, counts in figures.items()]


# O, A (C lost one more student), B (as A, and B lost 2 of its 4 active students).
ROLLBACK_O = _site_rows({"A": (40, 33, 3, 4), "B": (40, 36, 0, 4), "C": (30, 20, 5, 5)})
ROLLBACK_A = _site_rows({"A": (40, 33, 3, 4), "B": (40, 36, 0, 4), "C": (30, 20, 6, 4)})
ROLLBACK_B = _site_rows({"A": (40, 33, 3, 4), "B": (40, 36, 2, 2), "C": (30, 20, 6, 4)})


def _shown_in_turn(store: PublishedStore,
                   loads: list[tuple[str, list[dict[str, object]]]]) -> dict[str, Published]:
    """Each load's release made as the dashboard makes it (store.published), in turn."""
    shown = {}
    for name, rows in loads:
        made = release.build(_frames(rows), 3, before=store.shown_before)
        assert made.shown_as is not None
        store.keep(made.shown_as)
        shown[name] = made.shown_as
    return shown


def test_after_a_rollback_the_next_release_is_protected_with_the_newer_one_too(
        tmp_path: Path) -> None:
    """O, A, a rollback to O (O's release made again), B: the viewer holds A, and B is
    protected together with it (and with O). Until 2026-12-05 the remade O was kept as the
    newest and B protected with O alone: A and B together gave A's 3 dropouts exactly."""
    store = PublishedStore(tmp_path / "scope")
    shown = _shown_in_turn(store, [("O", ROLLBACK_O), ("A", ROLLBACK_A),
                                   ("O again", ROLLBACK_O)])
    assert shown["O again"].fingerprint == shown["O"].fingerprint
    newest = store.newest()
    assert newest is not None and newest.fingerprint == shown["A"].fingerprint
    assert [p.fingerprint for p in store.shown_before("b" * 32)] == [
        shown["A"].fingerprint, shown["O"].fingerprint]
    made = release.build(_frames(ROLLBACK_B), 3, before=store.shown_before)
    assert made.shown_as is not None
    store.keep(made.shown_as)
    assert made.shown_as.previous.split() == [shown["A"].fingerprint, shown["O"].fingerprint]
    assert _recomputed(made, shown["A"]) == []
    assert _recomputed(made, [shown["A"], shown["O"]]) == []
    # After B, the chain goes on from B alone (protected with both).
    assert [p.fingerprint for p in store.shown_before("c" * 32)] == [made.shown_as.fingerprint]
    # Without the rollback, B protected with A alone: the same, nothing recomputable.
    plain = _shown_in_turn(PublishedStore(tmp_path / "plain"),
                           [("O", ROLLBACK_O), ("A", ROLLBACK_A)])
    alone = release.build(_frames(ROLLBACK_B), 3, before=lambda _f: plain["A"])
    assert _recomputed(alone, plain["A"]) == []
    # Protected with O alone, as before the fix: A and B give A's 3 dropouts.
    with_o = release.build(_frames(ROLLBACK_B), 3, before=lambda _f: shown["O"])
    assert "kohorte/A/SSA/2020//frafald=3" in _recomputed(with_o, shown["A"])


def test_figures_shown_again_keep_when_they_were_first_shown_and_all_they_showed(
        tmp_path: Path) -> None:
    """A release made again from figures kept already (a rollback, a reload, a backup, a
    new version, another threshold) is shown now but is not the newest figures, and its
    file keeps every cell either showing showed (the viewer knows it)."""
    store = PublishedStore(tmp_path / "scope")
    store.keep(_published("a" * 32))
    store.keep(_published("b" * 32, previous="a" * 32))
    hides_more = replace(_published("a" * 32, previous="a" * 32),
                         hidden=np.array([True, True, True]),
                         small=np.array([True, True, False]))
    store.keep(hides_more)
    newest = store.newest()
    assert newest is not None and newest.fingerprint == "b" * 32
    other = store.before("c" * 32)
    assert other is not None and other.fingerprint == "b" * 32
    assert [p.fingerprint for p in store.shown_before("c" * 32)] == ["b" * 32, "a" * 32]
    assert [p.fingerprint for p in store.shown_before("a" * 32)] == ["a" * 32]
    kept = store.entry("a" * 32)
    assert kept is not None and kept.previous == ""
    assert kept.hidden.tolist() == [True, True, False]  # the third was shown the first time
    assert kept.small.tolist() == [True, True, False]
    # A new load: the newest, and what is shown before the next.
    store.keep(_published("c" * 32, previous="b" * 32 + " " + "a" * 32))
    assert [p.fingerprint for p in store.shown_before("d" * 32)] == ["c" * 32]


def test_a_count_pinned_by_what_was_shown_before_is_recorded_not_a_failure() -> None:
    """A total of 2 shown last month and unchanged (known), and this month two reason
    rows, each at least 1: each is 1, whatever is hidden now. The protection cannot
    unpublish the total; it records the two as undecided (the dashboard logs them)
    instead of failing every page of the scope."""
    cells = pd.DataFrame({
        "kind": "aarsag", "site": "A", "udd": "SSA", "period": "2024",
        "cat": ["I alt", "fravaer", "sygdom"], "measure": "antal",
        "value": [2.0, 1.0, 1.0], "small": [False, True, True], "virtual": False,
        "headline": False, "fixed": [True, False, False]})
    terms = pd.DataFrame({"equation": [0, 0, 0], "cell": [0, 1, 2],
                          "coefficient": [1.0, -1.0, -1.0]})
    system = linked.System(cells.assign(cell=cells.index), terms)
    protection = linked.protect(system, threshold=3)
    assert protection.hidden.tolist() == [False, True, True]
    assert protection.undecided.tolist() == [False, True, True]
    # Without anything shown before, the same shape is protected by hiding the total.
    alone = linked.protect(linked.System(cells.drop(columns="fixed").assign(
        cell=cells.index), terms), threshold=3)
    assert alone.hidden.tolist() == [True, True, True] and not alone.undecided.any()
