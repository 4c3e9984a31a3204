"""The report's charts (reports/charts.py): readable by everyone, nothing clipped, no hidden count given away."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree as ET

import pytest

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Apr 2023", "May 2023", "Jun 2023", "Jul 2023", "Aug 2023", "Sep 2023", "Oct 2023", "Nov 2023",
          "Dec 2023", "Jan 2024", "Feb 2024", "Mar 2024"]
YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
AREAS = ["Children with disabilities and short breaks", "Children in care", "Child protection", "Fostering",
         "Care leavers and leaving care support service for young adults aged 18 to 25", "Early help"]
HIDDEN = "fewer than 5"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def words(el: ET.Element) -> str:
    """A <text>'s own words, without its <title> (the full label of a shortened one)."""
    return (el.text or "") + "".join(child.tail or "" for child in el)


def all_words(root: ET.Element) -> list[str]:
    return [words(t) for t in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    """The <title> of every mark (bar, point): what a reader sees on hovering."""
    return [t.text or "" for el in root.iter() if el.tag != f"{SVG}text" and el.tag != f"{SVG}svg"
            for t in el.findall(f"{SVG}title")]


# ---------------------------------------------------------------------------------- contrast


def luminance(colour: str) -> float:
    named = {"white": "#ffffff", "black": "#000000"}
    colour = named.get(colour, colour)
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), f"not a colour the test can read: {colour}"
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = "white") -> float:
    """WCAG's contrast ratio of two colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_gives_wcags_own_figures():
    assert contrast("#000000") == pytest.approx(21)
    assert contrast("#777777") == pytest.approx(4.48, abs=0.01)     # the classic just-fails grey
    assert contrast("#e69f00") < 3                                  # the orange the charts used to have


def sample_charts() -> dict[str, str]:
    three = [("2023-24", [8, 12, HIDDEN, 9, 10, 11, 7, 6, 9, 12, 8, 6]),
             ("2022-23", [4, 5, 6, 7, 3, 5, 4, 5, 6, 4, 3, 3]),
             ("2021-22", [1, 2, 3, None, 5, 6, 7, 8, 9, 10, 11, 12])]
    return {
        "bar": charts.bar_chart("Complaints received by month", MONTHS, three),
        "line": charts.line_chart("Share out of timescale", MONTHS, three, unit="%"),
        "hbar": charts.hbar_chart("Complaints by service area", AREAS, [(n, v[:len(AREAS)]) for n, v in three]),
        "money": charts.line_chart("Cumulative costs", ["Q1", "Q2", "Q3", "Q4"],
                                   [("2023-24", [12215.90, 22429.95, 48258.95, 72107.65])], unit="£"),
    }


@pytest.mark.parametrize("kind", ["bar", "line", "hbar", "money"])
def test_every_colour_that_carries_meaning_stands_out_from_the_white_ground(kind):
    """WCAG 1.4.11 (3:1) for marks, lines and gridlines; 1.4.3 (4.5:1) for text. Every colour
    in the SVG is checked, so a colour added later is checked too."""
    root = parse(sample_charts()[kind])
    seen = set()
    for el in root.iter():
        for attribute in ("fill", "stroke"):
            colour = el.get(attribute)
            if colour is None or colour in ("none", "white", charts.BACKGROUND) or colour.startswith("url("):
                continue
            seen.add(colour)
            needed = 4.5 if el.tag == f"{SVG}text" else 3
            assert contrast(colour) >= needed, f"{el.tag} {attribute} {colour}: {contrast(colour):.2f}:1"
    # The page's text default (black) is not relied on: every text says its colour.
    assert all(t.get("fill") for t in root.iter(f"{SVG}text"))
    series = 1 if kind == "money" else 3
    assert set(charts.COLOURS[:series]) <= seen


def test_the_named_colours_meet_their_ratios():
    for colour in (*charts.COLOURS, charts.GRID, charts.MUTED):
        assert contrast(colour) >= 3, colour
    for colour in (charts.TEXT, charts.MUTED):
        assert contrast(colour) >= 4.5, colour


# ---------------------------------------------------------------------------------- more than colour


def fill_kind(root: ET.Element, fill: str) -> str:
    """What a fill looks like without its colour: solid, or the shapes its pattern repeats."""
    if not fill.startswith("url(#"):
        return "solid"
    pattern = next(p for p in root.iter(f"{SVG}pattern") if p.get("id") == fill[5:-1])
    shapes = [child.tag.removeprefix(SVG) for child in pattern][1:]     # past the white ground
    return f"{'/'.join(shapes)} {pattern.get('patternTransform', '')}"


def test_bars_of_each_series_have_their_own_pattern_and_the_legend_shows_it():
    root = parse(charts.bar_chart("Complaints", ["Q1", "Q2"], [("A", [1, 2]), ("B", [3, 4]), ("C", [5, 6])]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    by_series: dict[str, set[str]] = {}
    for bar in bars:
        series = bar.find(f"{SVG}title").text.split(",")[0]
        by_series.setdefault(series, set()).add(fill_kind(root, bar.get("fill")))
    assert all(len(kinds) == 1 for kinds in by_series.values())
    looks = [next(iter(by_series[s])) for s in "ABC"]
    assert len(set(looks)) == 3, looks
    assert looks[0] == "solid"
    legend = [r for r in root.iter(f"{SVG}rect") if r.get("width") == "12"]
    assert [fill_kind(root, r.get("fill")) for r in legend] == looks


def test_lines_of_each_series_have_their_own_dashes_and_markers_and_the_legend_shows_them():
    root = parse(charts.line_chart("Share", ["Q1", "Q2", "Q3"], [("A", [1, 2, 3]), ("B", [3, 4, 5]),
                                                                    ("C", [5, 6, 7])], unit="%"))
    lines = list(root.iter(f"{SVG}polyline"))
    dashes = [line.get("stroke-dasharray", "solid") for line in lines]
    assert len(set(dashes)) == 3
    markers: dict[str, set[str]] = {}
    for el in root.iter():
        tip = el.find(f"{SVG}title")
        if el.tag != f"{SVG}text" and el.tag != f"{SVG}svg" and tip is not None:
            markers.setdefault(tip.text.split(",")[0], set()).add(el.tag.removeprefix(SVG))
    assert [markers[s] for s in "ABC"] == [{"circle"}, {"rect"}, {"polygon"}]
    legend_lines = [el for el in root.iter(f"{SVG}line")
                    if abs(float(el.get("x2")) - float(el.get("x1")) - 24) < 0.01]
    assert [el.get("stroke-dasharray", "solid") for el in legend_lines] == dashes


# ---------------------------------------------------------------------------------- numbers


def test_axis_labels_and_tooltips_have_thousands_separators():
    root = parse(charts.bar_chart("Complaints received each year", YEARS,
                                  [("Complaints", [36, 30, 1_234_567, 55, 195_000, 102])]))
    assert "1,600,000" in all_words(root) and "400,000" in all_words(root)
    assert "Complaints, 2020-21: 1,234,567" in tooltips(root)
    assert not any(re.search(r"\d{4}", w) and "-" not in w for w in all_words(root))


def test_money_is_in_pounds_with_separators_and_pence():
    root = parse(sample_charts()["money"])
    assert "£80,000" in all_words(root) and "£0" in all_words(root)
    assert "2023-24, Q1: £12,215.90" in tooltips(root)
    assert charts.number(1234.5, "£") == "£1,234.50"
    assert charts.number(41.4, "%") == "41%"


# ---------------------------------------------------------------------------------- nothing clipped


def box(el: ET.Element) -> tuple[float, float, float, float, bool]:
    """A text's estimated box (left, top, right, bottom) in the SVG's space, and whether it is turned.
    Width: 0.6 of the font size a character; height: from 0.8 of it above the baseline to 0.25 below."""
    size = float(el.get("font-size"))
    width = 0.6 * size * len(words(el))
    start = {"start": 0, "middle": -width / 2, "end": -width}[el.get("text-anchor", "start")]
    corners = [(start, -0.8 * size), (start + width, -0.8 * size), (start, 0.25 * size), (start + width, 0.25 * size)]
    transform = el.get("transform")
    if transform:
        found = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)\s*(?:rotate\(([-\d.]+)\))?", transform.strip())
        assert found, transform
        x, y, angle = float(found[1]), float(found[2]), math.radians(float(found[3] or 0))
        corners = [(x + cx * math.cos(angle) - cy * math.sin(angle), y + cx * math.sin(angle) + cy * math.cos(angle))
                   for cx, cy in corners]
        turned = angle != 0
    else:
        x, y = float(el.get("x")), float(el.get("y"))
        corners = [(x + cx, y + cy) for cx, cy in corners]
        turned = False
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys), turned


def hard_charts() -> dict[str, str]:
    long_title = ("Complaints about children's social care received by month in 2023-24, set against each of the "
                  "three years before it, counted from the record store")
    many = [(f"Series with a long name number {i}", [123_456 * i, HIDDEN, None, 9_999_999])
            for i in range(1, 4)]
    cats = ["Children with disabilities and short breaks", "Care leavers", "Fostering and adoption", "Early help"]
    return {
        "bar, long labels, big numbers": charts.bar_chart(long_title, cats, many),
        "line, long labels, big numbers": charts.line_chart(long_title, cats, many, unit="£"),
        "hbar, long labels, big numbers": charts.hbar_chart(long_title, AREAS, [(n, [*v, 5, 6]) for n, v in many],
                                                            unit="£"),
        "bar, twelve months": charts.bar_chart("Complaints received by month", MONTHS,
                                               [("2023-24", [1_200] * 12), ("2022-23", [900] * 12)]),
        "bar, many service areas": charts.bar_chart("Complaints by service area", AREAS * 3,
                                                    [("Complaints", list(range(18)))]),
        "bar, one category": charts.bar_chart("Complaints", ["Care leavers and leaving care support service for "
                                                             "young adults"], [("Complaints", [3])]),
        "bar, empty": charts.bar_chart("Complaints", [], []),
    }


@pytest.mark.parametrize("name", list(hard_charts()))
def test_every_text_lies_inside_the_chart_and_none_overlaps_another(name):
    svg = hard_charts()[name]
    root = parse(svg)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    assert (float(root.get("width")), float(root.get("height"))) == (width, height)
    boxes = [(words(t), box(t)) for t in root.iter(f"{SVG}text")]
    assert boxes
    for text, (left, top, right, bottom, _) in boxes:
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, \
            f"{text!r} at ({left:.0f},{top:.0f})-({right:.0f},{bottom:.0f}) runs out of {width:.0f}x{height:.0f}"
    # Turned labels lean on each other by design; anything else that overlaps is unreadable.
    for i, (a, (l1, t1, r1, b1, turned1)) in enumerate(boxes):
        for b, (l2, t2, r2, b2, turned2) in boxes[i + 1:]:
            if turned1 and turned2:
                continue
            overlap = min(r1, r2) - max(l1, l2) > 0.5 and min(b1, b2) - max(t1, t2) > 0.5
            assert not overlap, f"{a!r} overlaps {b!r}"


def test_a_shortened_label_keeps_the_whole_label_in_its_title():
    root = parse(charts.bar_chart("Complaints by service area", AREAS * 2, [("Complaints", list(range(12)))]))
    shortened = [t for t in root.iter(f"{SVG}text") if words(t).endswith("…")]
    assert shortened
    for t in shortened:
        full = t.find(f"{SVG}title").text
        assert full in AREAS and full.startswith(words(t)[:-1])


def test_lying_bars_show_every_label_in_full():
    root = parse(charts.hbar_chart("Complaints by service area", AREAS, [("Complaints", [20, 40, 7, 12, 9, 5])]))
    shown = " ".join(all_words(root))
    for area in AREAS:
        assert area in shown or all(word in shown for word in area.split()), area
    assert "…" not in shown
    # Each bar's value at its end, as a reader would read it off.
    assert {"20", "40", "12"} <= set(all_words(root))


def test_the_legend_wraps_and_stays_under_the_title():
    names = [f"Complaints under procedure number {i} of the council" for i in range(5)]
    root = parse(charts.bar_chart("Complaints", ["Q1", "Q2"], [(n, [1, 2]) for n in names]))
    texts = {words(t): box(t) for t in root.iter(f"{SVG}text")}
    title_bottom = texts["Complaints"][3]
    legend = [texts[n] for n in names]
    assert all(b[1] >= title_bottom for b in legend)
    assert len({round(b[1]) for b in legend}) > 1, "the legend should take more than one row"
    assert all(b[0] >= 0 for b in legend)


# ---------------------------------------------------------------------------------- hidden counts


@pytest.mark.parametrize("draw", [charts.bar_chart, charts.line_chart, charts.hbar_chart])
def test_a_hidden_count_draws_nothing_and_is_starred_with_a_footnote(draw):
    svg = draw("Complaints received by month", MONTHS[:4], [("2023-24", [8, HIDDEN, 12, None])])
    root = parse(svg)
    tips = tooltips(root)
    assert sorted(tips) == ["2023-24, Apr 2023: 8", "2023-24, Jun 2023: 12"]
    assert not any("May 2023" in t for t in tips)
    shown = all_words(root)
    assert any(w.startswith("May 2023*") or w == "May" for w in shown)
    assert "May 2023*" in " ".join(shown).replace("May 2023 *", "May 2023*")
    assert "Jul 2023*" not in " ".join(shown)          # no data is not a hidden count
    assert "* fewer than 5: not shown" in shown
    # No mark of zero size stands where the hidden count would be.
    for el in root.iter(f"{SVG}rect"):
        assert el.get("height") not in ("0", "0.0") and el.get("width") not in ("0", "0.0")


def test_a_hidden_count_leaves_the_scale_to_the_counts_shown():
    """The axis is drawn from the counts shown alone, so the chart is the same whatever the hidden count is."""
    hidden = charts.bar_chart("Complaints", ["A", "B", "C"], [("Complaints", [HIDDEN, 6, 8])])
    assert hidden == charts.bar_chart("Complaints", ["A", "B", "C"], [("Complaints", [HIDDEN, 6, 8])])
    assert "8" in all_words(parse(hidden)) and "fewer" not in "".join(tooltips(parse(hidden)))


# ---------------------------------------------------------------------------------- in words


def test_describe_says_what_a_years_chart_shows():
    assert charts.describe("bar", "Complaints received each year", YEARS,
                           [("Complaints", [36, 30, 40, 55, 195, 102])]) == (
        "Bar chart of complaints received each year, 2018-19 to 2023-24: from 36 in 2018-19 to 102 in 2023-24, "
        "highest 195 in 2022-23.")


def test_describe_compares_two_series():
    text = charts.describe("bar", "Complaints received by month, against the previous year", MONTHS,
                           [("2023-24", [8, 12, 5, 9, 10, 11, 7, 6, 9, 14, 8, 6]),
                            ("2022-23", [4, 5, 6, 7, 3, 5, 4, 5, 6, 4, 3, 3])])
    assert text.startswith("Bar chart of complaints received by month, against the previous year, "
                           "Apr 2023 to Mar 2024.")
    assert "2023-24: from 8 in Apr 2023 to 6 in Mar 2024, highest 14 in Jan 2024" in text
    assert "2023-24 is higher than 2022-23 in 11 of the 12 months" in text


def test_describe_names_the_largest_of_unordered_categories_in_pounds():
    text = charts.describe("hbar", "Remedies by service area", AREAS[:4], [("Remedies", [250, 1234.5, 0, 80])],
                           unit="£")
    assert text == ("Bar chart of remedies by service area: most in Children in care (£1,234.50), then Children "
                    "with disabilities and short breaks (£250.00) and Fostering (£80.00).")


def test_describe_says_a_hidden_count_is_hidden_and_never_gives_it_away():
    series = [("Complaints", [40, HIDDEN, 12, 20])]
    text = charts.describe("bar", "Complaints by service area", AREAS[:4], series)
    assert "The figure for Children in care is fewer than 5 and not shown, to protect privacy." in text
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)}
    assert numbers <= {40, 12, 20, 5}, numbers          # nothing but the counts shown and the threshold
    two = charts.describe("bar", "Complaints by month", MONTHS[:2], [("2023-24", [HIDDEN, 7]), ("2022-23", [6, 8])])
    assert "The figure for Apr 2023 (2023-24) is fewer than 5 and not shown, to protect privacy." in two
    coded = charts.describe("bar", "Complaints by month", MONTHS[:3], [("Complaints", ["[c]", 7, "[c]"])])
    assert coded.endswith("The figures for Apr 2023 and Jun 2023 are not shown, to protect privacy.")


def test_a_hidden_figure_marked_with_a_code_is_footnoted_in_words():
    root = parse(charts.bar_chart("Complaints", ["A", "B"], [("Complaints", ["[c]", 7])]))
    assert "* not shown, to protect privacy" in all_words(root)
    assert "A*" in all_words(root)


def test_describe_an_empty_chart():
    assert charts.describe("line", "Share out of timescale", MONTHS, [("2023-24", [None] * 12)]) == (
        "Line chart of share out of timescale, Apr 2023 to Mar 2024: no figures to show.")


# ---------------------------------------------------------------------------------- the SVG itself


def test_charts_are_small_valid_svg_in_a_data_uri():
    import base64

    for name, svg in {**sample_charts(), **hard_charts()}.items():
        root = parse(svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img", name
        assert len(svg) < 20_000, (name, len(svg))
        uri = charts.data_uri(svg)
        assert base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode() == svg


def test_a_missing_value_breaks_the_line():
    root = parse(charts.line_chart("Share", MONTHS[:5], [("2023-24", [1, 2, None, 4, 5])], unit="%"))
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
