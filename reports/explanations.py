"""Tables that explain a procedure's year: why stage 1 responses were late, how complaints
arrived, and what stage 2 investigating officers recommended.

Plain functions of one procedure's complaints received in the year (``ProcedureFigures``),
as ``reports.figures`` has them; the words for the council's codes are given by the caller
(the council's list of reasons for lateness, the web app's words for channels). Nothing
here names a person or a complaint: an officer's note on lateness may name someone, so
only the council's reason is published, and a recommendation is listed without its
complaint's reference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from reports.figures import LATE, ProcedureFigures, Table, standing

NOT_RECORDED = "Not recorded"

# Words for a code: a mapping (the council's list) or a function (web.labels' words).
InWords = Mapping[str, str] | Callable[[str], str]


def _words(in_words: InWords, code: str) -> str:
    if callable(in_words):
        return in_words(code)
    return in_words.get(code) or code.replace("_", " ").capitalize()


def _by_count_not_recorded_last(counts: Counter) -> list[list[object]]:
    """Most first, ties by name, and "Not recorded" last whatever its count."""
    known = sorted(((k, n) for k, n in counts.items() if k != NOT_RECORDED), key=lambda kn: (-kn[1], kn[0]))
    rows = [[k, n] for k, n in known]
    if counts.get(NOT_RECORDED):
        rows.append([NOT_RECORDED, counts[NOT_RECORDED]])
    return rows


def late_reasons_table(fig: ProcedureFigures, reasons_in_words: InWords) -> Table:
    """Each stage 1 response given late, by the council's reason for its lateness."""
    reasons: Counter = Counter()
    for c in fig.complaints:
        s = c.stage(1)
        # A response, given late; a stage left without one is not a response.
        if s is None or s.responded is None or standing(c, s, fig.year.end) != LATE:
            continue
        reasons[_words(reasons_in_words, s.late_reason) if s.late_reason else NOT_RECORDED] += 1
    return Table(f"{fig.key}_late_reasons", "Why stage 1 responses were late", ["reason", "responses"],
                 _by_count_not_recorded_last(reasons), counts=(1,))


def channels_table(fig: ProcedureFigures, channels_in_words: InWords) -> Table:
    """The complaints received in the year, by how they arrived."""
    arrived = Counter(_words(channels_in_words, c.channel) if c.channel else NOT_RECORDED for c in fig.complaints)
    return Table(f"{fig.key}_channels", "How complaints arrived", ["channel", "complaints"],
                 _by_count_not_recorded_last(arrived), counts=(1,))


def recommendations_table(fig: ProcedureFigures) -> Table:
    """Every recommendation of a stage 2 investigating officer, for complaints received in
    the year, in the order the complaints were received."""
    rows = [[text]
            for c in sorted(fig.complaints, key=lambda c: (c.received, c.ref))
            for s in c.stages if s.stage == 2
            for text in s.recommendations]
    return Table(f"{fig.key}_stage2_recommendations", "Recommendations of stage 2 investigating officers",
                 ["recommendation"], rows)
