"""Tests of cs231n_utils.timing, on a fake clock: nothing depends on the machine's speed."""

import pytest

from cs231n_utils import timing
from cs231n_utils.timing import best_times, compare_timings, format_timings, time_function


@pytest.fixture
def clock(monkeypatch):
    """A fake perf_counter; ``tick(s)`` advances it, as if a call took s seconds."""
    now = [0.0]
    monkeypatch.setattr(timing, "perf_counter", lambda: now[0])

    def tick(seconds):
        now[0] += seconds

    return tick


def test_time_function_returns_the_best_run(clock):
    costs = iter([3.0, 1.0, 2.0])
    assert time_function(lambda: clock(next(costs)), repeat=3) == 1.0


def test_time_function_divides_by_number_and_passes_arguments(clock):
    calls = []

    def f(a, b=0):
        calls.append((a, b))
        clock(0.5)

    assert time_function(f, 1, b=2, repeat=2, number=4) == pytest.approx(0.5)
    assert calls == [(1, 2)] * 8


def test_time_function_with_the_real_clock_is_positive():
    assert time_function(sum, range(1000)) > 0


@pytest.mark.parametrize("kwargs", [{"repeat": 0}, {"number": 0}])
def test_time_function_rejects_non_positive_counts(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        time_function(lambda: None, **kwargs)


def test_compare_timings_ratios_relative_to_fastest(clock):
    funcs = {
        "slow": lambda n: clock(n * 4),
        "fast": lambda n: clock(n),
        "mid": lambda n: clock(n * 2),
    }
    rows = compare_timings(funcs, 0.25)
    assert [row.name for row in rows] == ["slow", "fast", "mid"]
    assert [row.seconds for row in rows] == [1.0, 0.25, 0.5]
    assert [row.ratio for row in rows] == [4.0, 1.0, 2.0]
    name, seconds, ratio = rows[0]  # rows are plain tuples too
    assert (name, seconds, ratio) == ("slow", 1.0, 4.0)


def test_compare_timings_relative_to_a_reference(clock):
    funcs = {"loops": lambda: clock(3.0), "numpy": lambda: clock(1.5), "torch": lambda: clock(1.0)}
    rows = compare_timings(funcs, reference="numpy")
    assert [row.ratio for row in rows] == [2.0, 1.0, pytest.approx(2 / 3)]


def test_compare_timings_argument_errors():
    with pytest.raises(ValueError, match=r"reference must be one of \['a'\], got 'b'"):
        compare_timings({"a": lambda: None}, reference="b")
    with pytest.raises(ValueError, match="funcs"):
        compare_timings({})


def test_compare_timings_on_a_clock_too_coarse_to_tell(clock):
    rows = compare_timings({"a": lambda: None, "b": lambda: clock(1.0)})
    assert [row.ratio for row in rows] == [1.0, float("inf")]


def test_format_timings_table():
    rows = [("two loops", 12.0412, 402.12), ("no loops", 0.029944, 1.0)]
    assert format_timings(rows).splitlines() == [
        "name      |  seconds | x slower than fastest",
        "----------+----------+----------------------",
        "two loops |   12.041 |                 402.1",
        "no loops  | 0.029944 |                   1.0",
    ]


def test_format_timings_columns_align_and_name_the_reference(clock):
    funcs = {"a much longer name": lambda: clock(2.0), "b": lambda: clock(1.0)}
    table = format_timings(compare_timings(funcs, reference="b"), against="b")
    lines = table.splitlines()
    assert lines[0].endswith("x slower than b")
    assert len({line.index("|") for line in lines if "|" in line}) == 1
    assert len({len(line) for line in lines}) == 1
    assert lines[2].startswith("a much longer name |")
    assert lines[2].endswith("2.0")


def test_blas_threads_reads_the_usual_variables(monkeypatch):
    from cs231n_utils.timing import blas_threads

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 7)
    assert blas_threads() == 7
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert blas_threads() == 3
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    assert blas_threads() == 1


def test_best_times_warms_up_then_times_each_function_in_turn():
    calls = []
    seconds = best_times({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                         repeat=3, warmup=1)
    assert calls == ["a", "b"] + ["a", "b"] * 3
    assert set(seconds) == {"a", "b"} and all(0 <= s < 1 for s in seconds.values())
