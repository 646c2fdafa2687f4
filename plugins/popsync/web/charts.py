"""Charts as inline SVG, rendered on the server (no script, no network)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from markupsafe import Markup

PALETTE = ("#017cee", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#1098ad", "#c2255c", "#5c940d")


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[datetime, float], ...]  # (when, value 0..1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # 0..1 for rates, or a count scaled by the largest
    text: str


def _svg_open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto" role="img">'
    )


def _y(value: float, low: float, high: float, top: int, height: int) -> float:
    span = high - low or 1.0
    return top + height - (value - low) / span * height


def line_chart(series: Sequence[Series], *, width: int = 720, height: int = 220, percent: bool = True) -> Markup:
    """Lines over time; the y axis spans the data (rates shown in %)."""
    points = [p for s in series for p in s.points]
    if not points:
        return Markup("")
    left, right, top, bottom = 48, 170, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    times = sorted({p[0] for p in points})
    values = [p[1] for p in points]
    low, high = min(values), max(values)
    if percent:
        low, high = max(0.0, low - 0.02), min(1.0, high + 0.02)
    if high <= low:
        high = low + (0.01 if percent else 1.0)
    t0, t1 = times[0].timestamp(), times[-1].timestamp()

    def x(when: datetime) -> float:
        if t1 == t0:
            return left + plot_w / 2
        return left + (when.timestamp() - t0) / (t1 - t0) * plot_w

    parts = [_svg_open(width, height)]
    for step in range(5):
        value = low + (high - low) * step / 4
        y = _y(value, low, high, top, plot_h)
        label = f"{value * 100:.1f}%" if percent else f"{value:,.0f}"
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{label}</text>')
    for when in (times[0], times[-1]) if len(times) > 1 else (times[0],):
        parts.append(
            f'<text x="{x(when):.1f}" y="{height - 8}" text-anchor="middle" class="axis">{when:%Y-%m-%d %H:%M}</text>'
        )
    for index, item in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        coords = " ".join(f"{x(w):.1f},{_y(v, low, high, top, plot_h):.1f}" for w, v in item.points)
        if len(item.points) > 1:
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for when, value in item.points:
            label = f"{value * 100:.2f}%" if percent else f"{value:,.0f}"
            parts.append(
                f'<circle cx="{x(when):.1f}" cy="{_y(value, low, high, top, plot_h):.1f}" r="3" fill="{color}">'
                f"<title>{escape(item.label)} {when:%Y-%m-%d %H:%M}: {label}</title></circle>"
            )
        legend_y = top + 14 * index + 8
        parts.append(f'<rect x="{width - right + 10}" y="{legend_y - 8}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{width - right + 24}" y="{legend_y + 1}" class="legend">{escape(item.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    bars: Sequence[Bar], *, width: int = 720, row_height: int = 18, label_width: int = 170, floor: float = 0.0
) -> Markup:
    """Horizontal bars, in the order given (ranked by the caller); the axis starts at ``floor`` (0..1)."""
    if not bars:
        return Markup("")
    top = 18 if floor > 0 else 4
    height = row_height * len(bars) + top + 4
    plot_w = width - label_width - 90
    parts = [_svg_open(width, height)]
    if floor > 0:
        parts.append(f'<text x="{label_width}" y="12" class="axis">{floor * 100:.0f}%</text>')
        parts.append(f'<text x="{label_width + plot_w}" y="12" text-anchor="end" class="axis">100%</text>')
    for index, bar in enumerate(bars):
        y = top + index * row_height
        length = max(0.0, min(1.0, (bar.value - floor) / (1.0 - floor))) * plot_w
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row_height - 6}" text-anchor="end" class="axis">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{row_height - 5}" class="bar">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + row_height - 6}" class="axis">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
