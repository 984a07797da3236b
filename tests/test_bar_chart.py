"""The server-drawn bar chart (hr_clinic.lib.charts.bar_chart) of the program
figures: no bars, one, many, all zero, and values not shown (no bar)."""

from __future__ import annotations

from hr_clinic.lib.charts import HEIGHT, bar_chart


def test_no_bars_is_an_empty_frame_with_a_scale() -> None:
    chart = bar_chart([])
    assert chart["bars"] == []
    assert [tick for tick, _ in chart["y_ticks"]] == [0, 0.5, 1]


def test_one_bar_fills_the_scale_to_a_round_top() -> None:
    chart = bar_chart([("Apr 26", 7)])
    (bar,) = chart["bars"]
    assert chart["top"] == 10
    assert bar["label"] == "Apr 26" and bar["value"] == 7
    assert 0 < bar["height"] < chart["bottom"]
    assert bar["y"] + bar["height"] == chart["bottom"]


def test_many_bars_stay_inside_and_thin_out_their_labels() -> None:
    bars = [(f"m{n}", n * 100) for n in range(60)]
    chart = bar_chart(bars)
    assert chart["top"] == 10_000
    placed = chart["bars"]
    assert len(placed) == 60
    assert all(
        b["x"] >= chart["left"] and b["x"] + b["width"] <= chart["right"]
        for b in placed
    )
    assert [b["x"] for b in placed] == sorted(b["x"] for b in placed)
    assert 0 < sum(1 for b in placed if b["label"]) <= 12
    assert all(0 <= b["y"] <= HEIGHT for b in placed)


def test_zeros_and_values_not_shown_draw_no_bar() -> None:
    chart = bar_chart([("Jan", 0), ("Feb", None), ("Mar", 0)])
    assert [b["height"] for b in chart["bars"]] == [0, 0, 0]
    assert chart["bars"][1]["value"] is None
    assert chart["top"] == 1
