"""The seeds benchmark's summary: worst is the lowest share and the highest of every cost, each on its own."""

from benchmarks.seeds import summary_row


def _row(seed: int, share: float, holes: int, seconds: float, valid: bool = True) -> dict[str, object]:
    return {
        "seed": seed,
        "share": share,
        "holes": holes,
        "holes_vs_greedy": 100 * holes / 400,
        "left_out": 0,
        "table_changes": 50.0,
        "seconds": seconds,
        "peak_mb": 200.0,
        "valid": valid,
        "error": None,
    }


def test_worst_and_median_are_taken_per_metric() -> None:
    rows = [_row(1, 99.9, 40, 10.0), _row(2, 99.5, 30, 12.0), _row(3, 99.7, 50, 11.0)]
    worst, median = summary_row("300", rows)
    assert (worst["% of bound"], worst["holes"], worst["seconds"]) == (99.5, 50, 12.0)
    assert (median["% of bound"], median["holes"], median["seconds"]) == (99.7, 40, 11.0)
    assert worst["holes % of greedy's"] == 12.5
    assert worst["valid"] is True


def test_one_invalid_seed_marks_the_shape_invalid() -> None:
    worst, median = summary_row("300", [_row(1, 99.9, 40, 10.0), _row(2, 99.5, 30, 12.0, valid=False)])
    assert worst["valid"] is False and median["valid"] is False
