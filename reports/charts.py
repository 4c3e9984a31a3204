"""Bar and line charts as small SVG images, embedded in the report as data URIs.

A report needs a handful of plain charts; a plotting library would be the largest thing
the project installs. SVG is sharp when printed, and inside an <img> it is an image in
the page, so the HTML file stays self-contained.
"""

from __future__ import annotations

import base64
from html import escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 64
# Two colours that stay apart in greyscale print and for colour-blind readers.
COLOURS = ("#1f5f8b", "#e69f00", "#6a3d9a")
FAMILY = "font-family='Arial, Helvetica, sans-serif'"
FONT = f"{FAMILY} font-size='11'"

Series = tuple[str, list[float | None]]


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _nice_top(values: list[float]) -> float:
    """The top of the axis: four gridline steps of a round size (whole steps for counts)."""
    top = max(values, default=0)
    whole = all(float(v).is_integer() for v in values)
    for k in range(-2, 10):
        for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = m * 10 ** k
            if whole and not float(step).is_integer():
                continue
            if 4 * step >= top and step > 0:
                return 4 * step
    return top


def _frame(title: str, top: float, unit: str, series: list[Series]) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
        f"viewBox='0 0 {WIDTH} {HEIGHT}' role='img'>",
        f"<title>{escape(title)}</title>",
        f"<rect width='{WIDTH}' height='{HEIGHT}' fill='white'/>",
        f"<text x='{LEFT}' y='18' {FAMILY} font-size='13' font-weight='bold'>{escape(title)}</text>",
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:g}{unit}"
        parts.append(f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>")
        parts.append(f"<text x='{LEFT - 6}' y='{y + 4:.1f}' {FONT} text-anchor='end'>{label}</text>")
    x = WIDTH - RIGHT
    for i, (name, _) in enumerate(reversed(series)):
        colour = COLOURS[(len(series) - 1 - i) % len(COLOURS)]
        width = 7 * len(name) + 18
        x -= width
        parts.append(f"<rect x='{x}' y='8' width='10' height='10' fill='{colour}'/>")
        parts.append(f"<text x='{x + 14}' y='17' {FONT}>{escape(name)}</text>")
    return parts


def _category_labels(categories: list[str], slot: float) -> list[str]:
    parts = []
    y = HEIGHT - BOTTOM + 14
    for i, label in enumerate(categories):
        cx = LEFT + slot * (i + 0.5)
        if len(categories) > 8 or len(label) * 6 > slot:
            parts.append(f"<text {FONT} text-anchor='end' transform='translate({cx:.1f},{y}) rotate(-40)'>"
                         f"{escape(label)}</text>")
        else:
            parts.append(f"<text x='{cx:.1f}' y='{y}' {FONT} text-anchor='middle'>{escape(label)}</text>")
    return parts


def bar_chart(title: str, categories: list[str], series: list[Series], unit: str = "") -> str:
    """Grouped vertical bars: one group per category, one bar per series."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = _nice_top(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar = slot * 0.8 / max(len(series), 1)
    parts = _frame(title, top, unit, series)
    for s, (name, vs) in enumerate(series):
        for i, v in enumerate(vs):
            if v is None:
                continue
            h = plot_h * v / top
            x = LEFT + slot * i + slot * 0.1 + bar * s
            parts.append(f"<rect x='{x:.1f}' y='{TOP + plot_h - h:.1f}' width='{bar:.1f}' height='{h:.1f}' "
                         f"fill='{COLOURS[s % len(COLOURS)]}'><title>{escape(name)}, "
                         f"{escape(categories[i])}: {v:g}{unit}</title></rect>")
    parts += _category_labels(categories, slot)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, categories: list[str], series: list[Series], unit: str = "") -> str:
    """One line per series; a missing value breaks the line."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = _nice_top(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    parts = _frame(title, top, unit, series)
    for s, (name, vs) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        run: list[str] = []
        for i, v in enumerate([*vs, None]):
            if v is None:
                if len(run) > 1:
                    parts.append(f"<polyline points='{' '.join(run)}' fill='none' stroke='{colour}' stroke-width='2'/>")
                run = []
                continue
            x, y = LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{colour}'><title>{escape(name)}, "
                         f"{escape(categories[i])}: {v:g}{unit}</title></circle>")
    parts += _category_labels(categories, slot)
    parts.append("</svg>")
    return "".join(parts)
