"""The report's charts as inline SVG strings: no script, no library, no network.

Money stays `Decimal`: a figure is written as text by `format_usd` and carried exactly in
each bar's `data-value`; only pixel geometry is computed in floats. Every piece of text
that can come from usage data (feature and model names) is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from orchestration.report.formatting import format_usd

# Colour-blind-safe palette (Okabe-Ito), then greys for overflow.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OVERFLOW_COLOUR = "#999999"
COST_COLOUR = "#0072B2"
SAVED_COLOUR = "#9fd8c4"
ALONE_COLOUR = "#7fb2d9"
OPTIMIZED_COLOUR = "#009E73"
CANDIDATE_COLOUR = "#E69F00"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _px(value: float) -> str:
    return f"{value:.1f}"


def _scale(value: Decimal, maximum: Decimal, length: float) -> float:
    """Pixels for `value` on an axis where `maximum` spans `length` (geometry only)."""
    if maximum <= 0:
        return 0.0
    return max(0.0, float(value / maximum) * length)


def _wrap(label: str, width: int = 14) -> list[str]:
    """Short lines for a category label under a bar."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _svg(chart: str, width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{_e(chart)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(title)}" {FONT} font-size="12">'
        f"<title>{_e(title)}</title>" + "".join(body) + "</svg>"
    )


def _bar(
    x: float,
    y: float,
    width: float,
    height: float,
    colour: str,
    *,
    series: str,
    label: str,
    value: Decimal,
    tooltip: str,
) -> str:
    """A bar that carries its exact figure (`data-value`) for readers and tests."""
    return (
        f'<rect class="bar" data-series="{_e(series)}" data-label="{_e(label)}" '
        f'data-value="{_e(value)}" x="{_px(x)}" y="{_px(y)}" width="{_px(width)}" '
        f'height="{_px(max(height, 1.0))}" fill="{colour}"><title>{_e(tooltip)}</title></rect>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{_px(x)}" y="{_px(y)}" text-anchor="{anchor}"{extra}>{_e(text)}</text>'


@dataclass(frozen=True)
class WaterfallStep:
    label: str
    cost: Decimal
    saved: Decimal  # what this step took off the one before (zero for the first)


def waterfall_chart(
    steps: Sequence[WaterfallStep], alone: Sequence[WaterfallStep], basis: str
) -> str:
    """The stacked waterfall (each step's cost, its drop drawn above it), then each lever
    alone beside it (the cost with that lever only)."""
    width, height = 780, 330
    top, bottom, left = 30, 250, 20
    plot = bottom - top
    maximum = max([s.cost + s.saved for s in (*steps, *alone)] or [Decimal(0)])
    bar_width, gap, group_gap = 74.0, 22.0, 48.0
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#444"/>',
    ]
    x = left + 10.0
    previous_top: float | None = None
    groups = (("stacked", steps), ("alone", alone))
    for group_index, (series, bars) in enumerate(groups):
        if group_index:
            x += group_gap - gap
            body.append(
                f'<line x1="{_px(x - group_gap / 2)}" y1="{top - 10}" '
                f'x2="{_px(x - group_gap / 2)}" y2="{bottom + 50}" stroke="#bbb" '
                'stroke-dasharray="4 3"/>'
            )
            body.append(_text(x, top - 14, "each lever alone", "start", ' fill="#555"'))
            previous_top = None
        for step in bars:
            cost_height = _scale(step.cost, maximum, plot)
            saved_height = _scale(step.saved, maximum, plot)
            colour = COST_COLOUR if series == "stacked" else ALONE_COLOUR
            body.append(
                _bar(
                    x,
                    bottom - cost_height,
                    bar_width,
                    cost_height,
                    colour,
                    series=series,
                    label=step.label,
                    value=step.cost,
                    tooltip=f"{step.label}: {format_usd(step.cost)} {basis}",
                )
            )
            if step.saved > 0:
                # a drop too thin to hold its label gets it above the bar
                label_y = bottom - cost_height - saved_height / 2 + 4
                if saved_height < 16:
                    label_y = bottom - cost_height - saved_height - 5
                body.append(
                    _bar(
                        x,
                        bottom - cost_height - saved_height,
                        bar_width,
                        saved_height,
                        SAVED_COLOUR,
                        series=f"{series}-saved",
                        label=step.label,
                        value=step.saved,
                        tooltip=f"{step.label} saves {format_usd(step.saved)} {basis}",
                    )
                )
                body.append(
                    _text(
                        x + bar_width / 2,
                        label_y,
                        f"-{format_usd(step.saved)}",
                        extra=' fill="#05472f" font-weight="600"',
                    )
                )
            if previous_top is not None:  # the connector from the previous step's level
                body.append(
                    f'<line x1="{_px(x - gap)}" y1="{_px(previous_top)}" x2="{_px(x)}" '
                    f'y2="{_px(previous_top)}" stroke="#888" stroke-dasharray="3 2"/>'
                )
            body.append(
                _text(
                    x + bar_width / 2,
                    bottom - cost_height - 5 if step.saved == 0 else bottom - cost_height - 3,
                    format_usd(step.cost),
                    extra=' font-weight="600"' if step.saved == 0 else ' fill="#fff" dy="14"',
                )
            )
            for line_no, line in enumerate(_wrap(step.label)):
                body.append(_text(x + bar_width / 2, bottom + 16 + 14 * line_no, line))
            previous_top = bottom - cost_height
            x += bar_width + gap
    return _svg("waterfall", width, height, f"Stacked waterfall, {basis}", body)


@dataclass(frozen=True)
class Segment:
    label: str  # e.g. a model
    value: Decimal


@dataclass(frozen=True)
class StackedRow:
    label: str  # e.g. a feature
    segments: tuple[Segment, ...]

    @property
    def total(self) -> Decimal:
        return sum((s.value for s in self.segments), Decimal(0))


def stacked_bar_chart(chart: str, rows: Sequence[StackedRow], title: str) -> str:
    """Horizontal bars, one per row, split into coloured segments with a legend."""
    keys: list[str] = []
    for row in rows:
        for segment in row.segments:
            if segment.label not in keys:
                keys.append(segment.label)
    colours = {k: PALETTE[i] if i < len(PALETTE) else OVERFLOW_COLOUR for i, k in enumerate(keys)}
    label_width, plot_width, row_height = 190.0, 440.0, 26.0
    legend_rows = (len(keys) + 2) // 3
    width = 780
    height = int(20 + row_height * len(rows) + 16 + 18 * legend_rows)
    maximum = max([r.total for r in rows] or [Decimal(0)])
    body: list[str] = []
    for i, row in enumerate(rows):
        y = 10 + i * row_height
        body.append(_text(label_width - 8, y + 15, _clip(row.label, 28), "end"))
        x = label_width
        for segment in row.segments:
            length = _scale(segment.value, maximum, plot_width)
            body.append(
                _bar(
                    x,
                    y + 3,
                    length,
                    row_height - 8,
                    colours[segment.label],
                    series=segment.label,
                    label=row.label,
                    value=segment.value,
                    tooltip=f"{row.label} on {segment.label}: {format_usd(segment.value)}",
                )
            )
            x += length
        body.append(_text(x + 6, y + 15, format_usd(row.total), "start"))
    legend_top = 20 + row_height * len(rows)
    for i, key in enumerate(keys):
        lx = label_width + (i % 3) * 190
        ly = legend_top + (i // 3) * 18
        body.append(
            f'<rect x="{_px(lx)}" y="{_px(ly - 10)}" width="12" height="12" fill="{colours[key]}"/>'
        )
        body.append(_text(lx + 17, ly, _clip(key, 26), "start"))
    return _svg(chart, width, height, title, body)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal | None, ...]  # None: no priced usage that day, a gap in the line
    colour: str
    dashed: bool = False


def _runs_without_gaps(values: Sequence[Decimal | None]) -> list[list[int]]:
    """Indexes of consecutive non-null values: a line stops at a day with no price."""
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return [run for run in runs if run]


def line_chart(chart: str, days: Sequence[date], series: Sequence[Series], title: str) -> str:
    """One line per series over the days, a y axis in dollars, first/last dates on x."""
    width, height = 780, 280
    left, right, top, bottom = 70.0, 20.0, 20.0, 230.0
    plot_width, plot_height = width - left - right, bottom - top
    maximum = max([v for s in series for v in s.values if v is not None] or [Decimal(0)])
    step = plot_width / max(len(days) - 1, 1)
    body: list[str] = []
    for tick in range(5):  # gridlines at quarters of the maximum
        value = maximum * tick / 4
        y = bottom - _scale(value, maximum, plot_height)
        body.append(
            f'<line x1="{_px(left)}" y1="{_px(y)}" x2="{_px(width - right)}" y2="{_px(y)}" '
            'stroke="#e3e3e3"/>'
        )
        body.append(_text(left - 6, y + 4, format_usd(value), "end", ' fill="#555"'))
    for index in sorted({0, len(days) // 2, len(days) - 1}) if days else []:
        anchor = "start" if index == 0 else "end" if index == len(days) - 1 else "middle"
        body.append(_text(left + index * step, bottom + 18, days[index].isoformat(), anchor))
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        for run in _runs_without_gaps(s.values):
            points = " ".join(
                f"{_px(left + i * step)},{_px(bottom - _scale(s.values[i], maximum, plot_height))}"
                for i in run
            )
            body.append(
                f'<polyline class="series" data-series="{_e(s.name)}" points="{points}" '
                f'fill="none" stroke="{s.colour}" stroke-width="2.5"{dash}/>'
            )
        for i, v in enumerate(s.values):
            if v is None:
                continue
            body.append(
                f'<circle class="point" data-series="{_e(s.name)}" data-value="{_e(v)}" '
                f'cx="{_px(left + i * step)}" cy="{_px(bottom - _scale(v, maximum, plot_height))}" '
                f'r="3" fill="{s.colour}"><title>{_e(days[i].isoformat())} {_e(s.name)}: '
                f"{_e(format_usd(v))}</title></circle>"
            )
    for i, s in enumerate(series):
        lx = left + 10 + i * 260
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        body.append(
            f'<line x1="{_px(lx)}" y1="{height - 14}" x2="{_px(lx + 24)}" y2="{height - 14}" '
            f'stroke="{s.colour}" stroke-width="3"{dash}/>'
        )
        body.append(_text(lx + 30, height - 10, s.name, "start"))
    return _svg(chart, width, height, title, body)


@dataclass(frozen=True)
class LeverSavings:
    label: str
    confirmed: Decimal
    candidate: Decimal


def lever_chart(levers: Sequence[LeverSavings], basis: str) -> str:
    """Per lever, confirmed savings and (apart, in another colour) candidate savings."""
    label_width, plot_width, row_height = 190.0, 440.0, 48.0
    width, height = 780, int(20 + row_height * len(levers) + 30)
    maximum = max([v for lv in levers for v in (lv.confirmed, lv.candidate)] or [Decimal(0)])
    body: list[str] = []
    for i, lever in enumerate(levers):
        y = 10 + i * row_height
        body.append(_text(label_width - 8, y + 22, lever.label, "end"))
        for offset, series, value, colour in (
            (0, "confirmed", lever.confirmed, OPTIMIZED_COLOUR),
            (20, "candidate", lever.candidate, CANDIDATE_COLOUR),
        ):
            length = _scale(value, maximum, plot_width)
            body.append(
                _bar(
                    label_width,
                    y + offset + 2,
                    length,
                    16,
                    colour,
                    series=series,
                    label=lever.label,
                    value=value,
                    tooltip=f"{lever.label}, {series}: {format_usd(value)} {basis}",
                )
            )
            body.append(
                _text(label_width + length + 6, y + offset + 14, format_usd(value), "start")
            )
    legend_y = height - 12
    for i, (name, colour) in enumerate(
        (("confirmed (headline)", OPTIMIZED_COLOUR), ("candidate (apart)", CANDIDATE_COLOUR))
    ):
        lx = label_width + i * 200
        body.append(
            f'<rect x="{_px(lx)}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
        )
        body.append(_text(lx + 17, legend_y, name, "start"))
    return _svg("savings-by-lever", width, height, f"Savings by lever, {basis}", body)
