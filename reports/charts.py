"""Bar and line charts as small SVG images, embedded in the report as data URIs.

A report needs a handful of plain charts; a plotting library would be the largest thing
the project installs. SVG is sharp when printed, and inside an <img> it is an image in
the page, so the HTML file stays self-contained.

Charts everyone can read (WCAG 2.2 AA): series are told apart by a pattern or a marker
shape as well as by colour; every colour that carries meaning has at least 3:1 contrast
against the white ground and every text 4.5:1; each chart has a sentence saying what it
shows (``describe``), for the image's alt text.

A value is a number, None (no data: nothing drawn) or a string: a count the report hides
("fewer than 5"). A hidden count draws nothing and its number is nowhere in the SVG; its
category is starred and the chart says why underneath.

Text is laid out by an estimate of its width (0.6 of the font size a character, wider
than Arial's average), so the margins grow to fit the labels instead of clipping them.
"""

from __future__ import annotations

import base64
import calendar
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
PLOT_HEIGHT = 200
PAD = 8
FONT_SIZE = 11
TITLE_SIZE = 13
LINE = 14                       # a line of 11-point text
CHAR_WIDTH = 0.6                # of the font size: the width estimate of one character
ROTATION = 40                   # degrees: long category labels are turned this far
FAMILY = "font-family='Arial, Helvetica, sans-serif'"

# Every colour below is checked in tests/test_report_charts.py: 3:1 against white for
# marks and lines, 4.5:1 for text.
TEXT = "#0b0c0c"
MUTED = "#505a5f"               # axis labels and the axis itself
GRID = "#8a8a8a"                # gridlines: the value each one marks is read off the axis
COLOURS = ("#1d5a8c", "#a34a00", "#6a3d9a")
BACKGROUND = "white"
MARKERS = ("circle", "square", "triangle")
DASHES = ("", "7 4", "2 3")
SUPPRESSED_MARK = "*"

Value = float | int | str | None
Series = tuple[str, Sequence[Value]]


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# ---------------------------------------------------------------------------------- numbers


def _money(unit: str) -> bool:
    return unit in ("£", "GBP")


def _shown(v: Value) -> bool:
    """A number the chart draws (not missing, not hidden)."""
    return isinstance(v, int | float) and not isinstance(v, bool)


def number(v: float, unit: str = "", *, axis: bool = False) -> str:
    """1,234 / £1,234.50 / 41%: as the report writes them. On an axis, money drops its pence
    when it has none and a share keeps a decimal only when the step needs one."""
    if _money(unit):
        return f"£{v:,.0f}" if axis and float(v).is_integer() else f"£{v:,.2f}"
    if unit == "%" and not axis:
        return f"{v:,.0f}%"
    text = f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")
    return text + unit


def _nice_top(values: list[float]) -> float:
    """The top of the axis: four gridline steps of a round size (whole steps for counts)."""
    top = max(values, default=0)
    whole = all(float(v).is_integer() for v in values)
    for k in range(-2, 12):
        for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = m * 10 ** k
            if whole and not float(step).is_integer():
                continue
            if 4 * step >= top and step > 0:
                return 4 * step
    return top


# ---------------------------------------------------------------------------------- text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return CHAR_WIDTH * size * len(text)


def _text(x: float, y: float, words: str, *, size: float = FONT_SIZE, anchor: str = "start", bold: bool = False,
          fill: str = TEXT, transform: str = "", full: str = "") -> str:
    """One line of text; ``full`` is the whole label when ``words`` is a shortened one."""
    where = f"transform='translate({x:.1f},{y:.1f}) {transform}'" if transform else f"x='{x:.1f}' y='{y:.1f}'"
    extra = (" font-weight='bold'" if bold else "") + (f" text-anchor='{anchor}'" if anchor != "start" else "")
    tip = f"<title>{escape(full)}</title>" if full and full != words else ""
    return (f"<text {where} {FAMILY} font-size='{size:g}' fill='{fill}'{extra}>{tip}{escape(words)}</text>")


def _wrap(text: str, chars: int, lines: int) -> list[str] | None:
    """``text`` in at most ``lines`` lines of ``chars``, or None when it does not fit."""
    if chars < 1:
        return None
    wrapped = textwrap.wrap(text, chars, break_long_words=False) or [""]
    if len(wrapped) > lines or any(len(line) > chars for line in wrapped):
        return None
    return wrapped


def _shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def _wrap_or_shorten(text: str, chars: int, lines: int) -> list[str]:
    """Wrapped in ``lines`` lines, the last one shortened if the whole does not fit."""
    wrapped = textwrap.wrap(text, max(chars, 1), break_long_words=True) or [""]
    if len(wrapped) <= lines:
        return wrapped
    rest = " ".join(wrapped[lines - 1:])
    return [*wrapped[:lines - 1], _shorten(rest, chars)]


# ---------------------------------------------------------------------------------- the frame


@dataclass
class _Labels:
    """The category labels, marked where a value is hidden, and why they are marked."""

    names: list[str]
    full: list[str]
    footnotes: list[str]


def _hidden_because(reason: str) -> str:
    """'fewer than 5: not shown'; a marker such as '[c]' is the report's code for a hidden
    figure, explained in the report's own words, so it is not repeated as if it were words."""
    return "not shown, to protect privacy" if reason.startswith("[") else f"{reason}: not shown"


def _labels(categories: Sequence[str], series: Sequence[Series]) -> _Labels:
    hidden = [any(i < len(vs) and isinstance(vs[i], str) for _, vs in series) for i in range(len(categories))]
    why = sorted({v for _, vs in series for v in vs if isinstance(v, str)})
    names = [f"{c}{SUPPRESSED_MARK}" if h else str(c) for c, h in zip(categories, hidden, strict=False)]
    footnotes = [f"{SUPPRESSED_MARK} {_hidden_because(reason)}" for reason in why]
    return _Labels(names, [str(c) for c in categories], footnotes)


def _defs(series: Sequence[Series]) -> str:
    """The fills that tell bars apart without colour: solid, diagonal hatching, dots."""
    parts = []
    for s in range(1, min(len(series), len(COLOURS))):
        colour = COLOURS[s]
        if s == 1:
            parts.append(f"<pattern id='fill{s}' width='6' height='6' patternUnits='userSpaceOnUse' "
                         f"patternTransform='rotate(45)'><rect width='6' height='6' fill='{BACKGROUND}'/>"
                         f"<rect width='3' height='6' fill='{colour}'/></pattern>")
        else:
            parts.append(f"<pattern id='fill{s}' width='5' height='5' patternUnits='userSpaceOnUse'>"
                         f"<rect width='5' height='5' fill='{BACKGROUND}'/>"
                         f"<circle cx='2.5' cy='2.5' r='1.6' fill='{colour}'/></pattern>")
    return f"<defs>{''.join(parts)}</defs>" if parts else ""


def _bar_style(s: int) -> str:
    colour = COLOURS[s % len(COLOURS)]
    if s % len(COLOURS) == 0:
        return f"fill='{colour}'"
    # The outline keeps the bar's edge at full contrast however thin the pattern shows.
    return f"fill='url(#fill{s % len(COLOURS)})' stroke='{colour}' stroke-width='1.5'"


def _marker(s: int, x: float, y: float, tip: str = "") -> str:
    colour = COLOURS[s % len(COLOURS)]
    shape = MARKERS[s % len(MARKERS)]
    inner = f"<title>{escape(tip)}</title>" if tip else ""
    if shape == "circle":
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{colour}'>{inner}</circle>"
    if shape == "square":
        return f"<rect x='{x - 3.5:.1f}' y='{y - 3.5:.1f}' width='7' height='7' fill='{colour}'>{inner}</rect>"
    points = f"{x:.1f},{y - 5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f}"
    return f"<polygon points='{points}' fill='{colour}'>{inner}</polygon>"


def _line_style(s: int) -> str:
    dash = DASHES[s % len(DASHES)]
    return f"stroke='{COLOURS[s % len(COLOURS)]}' stroke-width='2'" + (f" stroke-dasharray='{dash}'" if dash else "")


def _heading(title: str, series: Sequence[Series], kind: str) -> tuple[list[str], float]:
    """The title (wrapped when long) and the legend under it, in rows that wrap: the parts
    and the height they take."""
    parts = []
    chars = int((WIDTH - 2 * PAD) / (CHAR_WIDTH * TITLE_SIZE))
    y = PAD
    for line in _wrap_or_shorten(title, chars, 3):
        y += TITLE_SIZE + 4
        parts.append(_text(PAD, y, line, size=TITLE_SIZE, bold=True, full=title))
    y += 6
    swatch = 24 if kind == "line" else 12
    x, row_top = PAD, y
    if series:
        y += LINE + 2
    for s, (name, _) in enumerate(series):
        label = _shorten(str(name), int((WIDTH - 2 * PAD - swatch - 6) / (CHAR_WIDTH * FONT_SIZE)))
        width = swatch + 5 + text_width(label) + 18
        if x > PAD and x + width > WIDTH - PAD:
            x, row_top = PAD, row_top + LINE + 4
            y += LINE + 4
        mid = row_top + LINE / 2
        if kind == "line":
            parts.append(f"<line x1='{x}' x2='{x + swatch}' y1='{mid:.1f}' y2='{mid:.1f}' {_line_style(s)}/>")
            parts.append(_marker(s, x + swatch / 2, mid))
        else:
            parts.append(f"<rect x='{x}' y='{mid - 6:.1f}' width='12' height='12' {_bar_style(s)}/>")
        parts.append(_text(x + swatch + 5, mid + 4, label, full=str(name)))
        x += width
    return parts, y + 10


def _svg(width: float, height: float, title: str, body: list[str], defs: str) -> str:
    return "".join([
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' role='img'>",
        f"<title>{escape(title)}</title>", defs,
        f"<rect width='{width:.0f}' height='{height:.0f}' fill='{BACKGROUND}'/>",
        *body, "</svg>"])


def _footnotes(notes: list[str], y: float) -> tuple[list[str], float]:
    parts = []
    for note in notes:
        y += LINE
        parts.append(_text(PAD, y, note, fill=MUTED))
    return parts, y


# ---------------------------------------------------------------------------------- upright charts


@dataclass
class _Columns:
    """Where an upright chart's plot and labels go."""

    left: float
    slot: float
    lines: list[list[str]]        # each category's label, in lines (one line when turned)
    turned: bool
    depth: float                  # from the plot's foot to the labels' lowest point


def _value_axis(top: float, unit: str) -> list[str]:
    return [number(top * i / 4, unit, axis=True) for i in range(5)]


def _columns(labels: _Labels, axis_labels: list[str]) -> _Columns:
    n = max(len(labels.names), 1)
    left = PAD + max(text_width(a) for a in axis_labels) + 8
    right = 16
    for _ in range(3):              # the left margin and the slot depend on each other
        slot = (WIDTH - left - right) / n
        chars = int((slot - 4) / (CHAR_WIDTH * FONT_SIZE))
        wrapped = [_wrap(name, chars, 3) for name in labels.names]
        if all(w is not None for w in wrapped):
            lines = [w for w in wrapped if w is not None]
            depth = 14 + LINE * (max((len(w) for w in lines), default=1) - 1) + 4
            return _Columns(left, slot, lines, False, depth)
        shortened = [_shorten(name, 30) for name in labels.names]
        a = math.radians(ROTATION)
        # A turned label runs down and to the left of its anchor: the first ones may need room.
        overhang = max(text_width(name) * math.cos(a) + FONT_SIZE * math.sin(a) - slot * (i + 0.5)
                       for i, name in enumerate(shortened))
        wanted = max(PAD + max(text_width(x) for x in axis_labels) + 8, PAD + overhang)
        if wanted <= left + 0.5:
            depth = 14 + max(text_width(name) for name in shortened) * math.sin(a) + FONT_SIZE * 0.3
            return _Columns(left, slot, [[name] for name in shortened], True, depth)
        left = wanted
    # Still growing after three tries (very many long labels): take the last margin as it is.
    slot = (WIDTH - left - right) / n
    depth = 14 + max(text_width(name) for name in shortened) * math.sin(a) + FONT_SIZE * 0.3
    return _Columns(left, slot, [[name] for name in shortened], True, depth)


def _upright(title: str, categories: Sequence[str], series: Sequence[Series], unit: str, kind: str) -> str:
    labels = _labels(categories, series)
    values = [float(v) for _, vs in series for v in vs if _shown(v)]
    top = _nice_top(values)
    axis = _value_axis(top, unit)
    cols = _columns(labels, axis)
    body, plot_top = _heading(title, series, kind)
    plot_bottom = plot_top + PLOT_HEIGHT
    right = WIDTH - 16
    for i, label in enumerate(axis):
        y = plot_bottom - PLOT_HEIGHT * i / 4
        if i:
            body.append(f"<line x1='{cols.left:.1f}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' stroke='{GRID}' "
                        f"stroke-width='0.75' stroke-dasharray='2 3'/>")
        body.append(_text(cols.left - 6, y + 4, label, anchor="end", fill=MUTED))

    def height(v: float) -> float:
        return PLOT_HEIGHT * max(v, 0) / top if top else 0

    if kind == "bar":
        bar = cols.slot * 0.8 / max(len(series), 1)
        for s, (name, vs) in enumerate(series):
            for i, v in enumerate(vs[:len(categories)]):
                if not _shown(v):
                    continue
                h = height(float(v))
                x = cols.left + cols.slot * i + cols.slot * 0.1 + bar * s
                body.append(f"<rect x='{x:.1f}' y='{plot_bottom - h:.1f}' width='{bar:.1f}' height='{h:.1f}' "
                            f"{_bar_style(s)}><title>{escape(str(name))}, {escape(labels.full[i])}: "
                            f"{number(float(v), unit)}</title></rect>")
    else:
        for s, (name, vs) in enumerate(series):
            run: list[str] = []
            points = []
            for i, v in enumerate([*vs[:len(categories)], None]):
                if not _shown(v):
                    if len(run) > 1:
                        body.append(f"<polyline points='{' '.join(run)}' fill='none' {_line_style(s)}/>")
                    run = []
                    continue
                x, y = cols.left + cols.slot * (i + 0.5), plot_bottom - height(float(v))
                run.append(f"{x:.1f},{y:.1f}")
                points.append(_marker(s, x, y, f"{name}, {labels.full[i]}: {number(float(v), unit)}"))
            body += points          # over the lines, so each point shows whole
    body.append(f"<line x1='{cols.left:.1f}' x2='{right}' y1='{plot_bottom:.1f}' y2='{plot_bottom:.1f}' "
                f"stroke='{MUTED}'/>")
    for i, lines in enumerate(cols.lines):
        cx = cols.left + cols.slot * (i + 0.5)
        if cols.turned:
            body.append(_text(cx, plot_bottom + 14, lines[0], anchor="end", fill=TEXT,
                              transform=f"rotate(-{ROTATION})", full=labels.full[i]))
        else:
            for k, line in enumerate(lines):
                body.append(_text(cx, plot_bottom + 14 + LINE * k, line, anchor="middle"))
    notes, bottom = _footnotes(labels.footnotes, plot_bottom + cols.depth + 2)
    body += notes
    return _svg(WIDTH, bottom + PAD, title, body, _defs(series) if kind == "bar" else "")


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], unit: str = "") -> str:
    """Grouped upright bars: one group per category, one bar per series."""
    return _upright(title, categories, series, unit, "bar")


def line_chart(title: str, categories: Sequence[str], series: Sequence[Series], unit: str = "") -> str:
    """One line per series, each with its own dashes and marker; a missing or hidden value breaks the line."""
    return _upright(title, categories, series, unit, "line")


# ---------------------------------------------------------------------------------- lying bars


def hbar_chart(title: str, categories: Sequence[str], series: Sequence[Series], unit: str = "") -> str:
    """Bars lying along, their labels to the left in full: for categories with long names
    (service areas, outcomes). Each bar has its value at its end."""
    labels = _labels(categories, series)
    values = [float(v) for _, vs in series for v in vs if _shown(v)]
    top = _nice_top(values)
    axis = _value_axis(top, unit)
    body, plot_top = _heading(title, series, "bar")
    # The label column takes up to two fifths of the width; longer labels wrap, in full.
    widest = max((text_width(n) for n in labels.names), default=0)
    column = min(widest, WIDTH * 0.4)
    chars = int(column / (CHAR_WIDTH * FONT_SIZE))
    lines = [textwrap.wrap(n, max(chars, 1), break_long_words=True) or [""] for n in labels.names]
    left = PAD + column + 8
    value_room = max((text_width(number(v, unit)) for v in values), default=0) + 8
    right = WIDTH - max(PAD + value_room, PAD + text_width(axis[-1]) / 2)
    bar = 14
    y = plot_top + 4
    rows = []
    for name_lines in lines:
        block = max(bar * max(len(series), 1), LINE * len(name_lines)) + 8
        rows.append((y, block))
        y += block
    plot_bottom = y
    for i, label in enumerate(axis):
        x = left + (right - left) * i / 4
        if i:
            body.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{plot_top:.1f}' y2='{plot_bottom:.1f}' "
                        f"stroke='{GRID}' stroke-width='0.75' stroke-dasharray='2 3'/>")
        body.append(_text(x, plot_bottom + 14, label, anchor="middle", fill=MUTED))
    for i, (row_top, block) in enumerate(rows):
        first = row_top + (block - LINE * len(lines[i])) / 2 + FONT_SIZE
        for k, line in enumerate(lines[i]):
            body.append(_text(left - 8, first + LINE * k, line, anchor="end"))
        bars_top = row_top + (block - bar * len(series)) / 2
        for s, (name, vs) in enumerate(series):
            v = vs[i] if i < len(vs) else None
            if not _shown(v):
                continue
            w = (right - left) * max(float(v), 0) / top if top else 0
            by = bars_top + bar * s
            shown = number(float(v), unit)
            body.append(f"<rect x='{left:.1f}' y='{by + 1:.1f}' width='{w:.1f}' height='{bar - 2}' {_bar_style(s)}>"
                        f"<title>{escape(str(name))}, {escape(labels.full[i])}: {shown}</title></rect>")
            body.append(_text(left + w + 4, by + bar - 3, shown))
    body.append(f"<line x1='{left:.1f}' x2='{left:.1f}' y1='{plot_top:.1f}' y2='{plot_bottom:.1f}' stroke='{MUTED}'/>")
    notes, bottom = _footnotes(labels.footnotes, plot_bottom + 18)
    body += notes
    return _svg(WIDTH, bottom + PAD, title, body, _defs(series))


# ---------------------------------------------------------------------------------- in words

_MONTHS = {m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:])}
_YEAR = re.compile(r"^\d{4}(-\d{2})?$")
_QUARTER = re.compile(r"^Q[1-4]\b")


def _time_words(categories: Sequence[str]) -> str | None:
    """'months', 'years' or 'quarters' when the categories run in time order, else None."""
    cats = [str(c) for c in categories]
    if cats and all(c.split()[0].lower() in _MONTHS for c in cats if c.split()):
        return "months"
    if cats and all(_YEAR.match(c) for c in cats):
        return "years"
    if cats and all(_QUARTER.match(c) for c in cats):
        return "quarters"
    return None


def _about(title: str) -> str:
    # "Complaints received" reads on in a sentence as "complaints received"; "LGSCO" stays.
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def _clause(categories: Sequence[str], values: Sequence[Value], unit: str, ordered: bool) -> str:
    shown = [(str(c), float(v)) for c, v in zip(categories, values, strict=False) if _shown(v)]
    if not shown:
        return "no figures shown"
    if len(shown) == 1:
        return f"{number(shown[0][1], unit)} in {shown[0][0]}"
    high = max(shown, key=lambda p: p[1])
    if ordered:
        (c0, v0), (c1, v1) = shown[0], shown[-1]
        text = f"from {number(v0, unit)} in {c0} to {number(v1, unit)} in {c1}"
        if high[0] not in (c0, c1):
            text += f", highest {number(high[1], unit)} in {high[0]}"
        return text
    ranked = sorted(shown, key=lambda p: -p[1])[:3]
    named = [f"{c} ({number(v, unit)})" for c, v in ranked]
    text = f"most in {named[0]}"
    if len(named) > 1:
        text += ", then " + " and ".join(named[1:])
    return text


def describe(kind: str, title: str, categories: Sequence[str], series: Sequence[Series], unit: str = "",
             *, ordered: bool | None = None) -> str:
    """A sentence or two saying what a chart shows, for its alt text. A hidden count is said to
    be hidden, never given (nor a total it could be worked out from)."""
    what = {"bar": "Bar chart", "hbar": "Bar chart", "line": "Line chart"}.get(kind, "Chart")
    time = _time_words(categories)
    ordered = time is not None if ordered is None else ordered
    cats = [str(c) for c in categories]
    head = f"{what} of {_about(title)}"
    if ordered and len(cats) > 1:
        head += f", {cats[0]} to {cats[-1]}"
    if not any(_shown(v) for _, vs in series for v in vs):
        sentences = [f"{head}: no figures to show."]
    elif len(series) == 1:
        sentences = [f"{head}: {_clause(cats, series[0][1], unit, ordered)}."]
    else:
        clauses = [f"{name}: {_clause(cats, vs, unit, ordered)}" for name, vs in series]
        sentences = [f"{head}. " + "; ".join(clauses) + "."]
        if len(series) == 2:
            (a, av), (b, bv) = series
            both = [(x, y) for x, y in zip(av, bv, strict=False) if _shown(x) and _shown(y)]
            if both:
                more = sum(float(x) > float(y) for x, y in both)
                noun = time or "categories"
                sentences.append(f"{a} is higher than {b} in {more} of the {len(both)} {noun} where both are shown.")
    # With more than one series, which series' figure is hidden matters.
    hidden = [c if len(series) == 1 else f"{c} ({name})"
              for i, c in enumerate(cats) for name, vs in series if i < len(vs) and isinstance(vs[i], str)]
    if hidden:
        said = [v for v in sorted({v for _, vs in series for v in vs if isinstance(v, str)}) if not v.startswith("[")]
        why = f" {' or '.join(said)} and" if said else ""
        listed = hidden[0] if len(hidden) == 1 else ", ".join(hidden[:-1]) + " and " + hidden[-1]
        many = len(hidden) > 1
        sentences.append(f"The figure{'s' if many else ''} for {listed} {'are' if many else 'is'}{why} "
                         f"not shown, to protect privacy.")
    return " ".join(sentences)
