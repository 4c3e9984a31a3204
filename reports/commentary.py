"""The council's own words in the annual report: a commentary file.

The figures come from the record store; what they mean, what changed and why, and what the
Complaints Team will do next only people can write. They write it in one Markdown file a
year, one block per section of the report, each under a level-2 heading naming the section
(``## Introduction {#introduction}``: the key in braces, or else the heading as the report
words it). The report puts each block where its section stands. Notes to the writer in
``<!-- ... -->`` are never printed.

The file is the council's, so it is treated as any outside text: raw HTML is shown as
typed, links go only to web and email addresses, and images become their words, so the
report stays one file that fetches nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# The largest file read: a report's words, with room to spare, not a document store.
MAX_BYTES = 1_000_000
DEFAULT_DIR = "commentary"           # under the var folder, as the web app's other state
DIR_ENV = "COMPLAINTS_COMMENTARY_DIR"

# A section's heading: "## Heading" with an optional "{#key}" at its end.
_SECTION = re.compile(r"^## +(?P<heading>.*?)\s*(?:\{#(?P<key>[^}]*)\})?\s*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TITLE = re.compile(r"^# +\S")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINKS_ALLOWED = re.compile(r"^(https?://|mailto:)", re.I)


class CommentaryError(ValueError):
    """The commentary file cannot be used: where (file and line) and why."""

    def __init__(self, reason: str, line: int | None = None, path: Path | str | None = None) -> None:
        self.reason, self.line, self.path = reason, line, path
        where = ", ".join(p for p in (str(path) if path else "", f"line {line}" if line else "") if p)
        super().__init__(f"{where}: {reason}" if where else reason)

    def at(self, path: Path | str) -> CommentaryError:
        return CommentaryError(self.reason, self.line, path)


@dataclass(frozen=True)
class Slot:
    """A section of the report the council may write in: its key, heading, whether the final
    report needs words there, and the part of the report it is in."""

    key: str
    heading: str
    required: bool
    part: str


@dataclass
class Block:
    key: str          # the {#key} given, else slug(heading)
    heading: str
    text: str         # Markdown, the notes to the writer taken out; "" when there is none
    line: int         # of its "## " heading
    keyed: bool = True    # whether the heading gave the key

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def matches(self, key: str, heading: str) -> bool:
        """Whether the block is for the section: by the key it gives, else by its heading
        (or a heading that says the key in words, "Next steps" for next_steps)."""
        if self.keyed:
            return self.key == key
        return slug(self.heading) in (slug(heading), slug(key))


@dataclass
class Commentary:
    blocks: list[Block] = field(default_factory=list)
    title: str = ""

    def get(self, key: str, heading: str) -> Block | None:
        """The block written for a section, by its key or else its heading; None when the
        file has none, or only an empty one (no commentary)."""
        found = self.block(key, heading)
        return None if found is None or found.empty else found

    def block(self, key: str, heading: str) -> Block | None:
        """The section's block, empty or not: the one giving its key, else the one headed as it is."""
        mine = [b for b in self.blocks if b.matches(key, heading)]
        return next((b for b in mine if b.keyed), mine[0] if mine else None)

    def match(self, slots: list[Slot]) -> dict[str, Block]:
        """Each section's block with words in it, by key. A block for no section of the
        report, or a second block for one, is an error naming the block's line."""
        found: dict[str, Block] = {}
        placed: dict[int, tuple[Slot, Block]] = {}
        for slot in slots:
            block = self.block(slot.key, slot.heading)
            if block is not None and id(block) not in placed:
                placed[id(block)] = slot, block
                if not block.empty:
                    found[slot.key] = block
        for block in self.blocks:
            if id(block) in placed:
                continue
            twice = next((s for s in slots if block.matches(s.key, s.heading)), None)
            if twice is not None:
                first = next(b.line for s, b in placed.values() if s is twice)
                raise CommentaryError(f"the section '{twice.heading}' is given twice (first on line {first})",
                                      block.line)
            raise CommentaryError(f"'{block.heading}' is not a section of this report: its sections are "
                                  f"the headings `complaints report --commentary-template` writes", block.line)
        return found


def slug(text: str) -> str:
    """A heading as a key: "Learning: what difference have complaints made?" is
    "learning-what-difference-have-complaints-made" (case and punctuation ignored)."""
    return re.sub(r"[\W_]+", "-", text.casefold()).strip("-")


# ---------------------------------------------------------------------------------- reading


def _blank(match: re.Match) -> str:
    # Keeps the lines where they were, so what follows is still found by its line number.
    return "\n" * match.group(0).count("\n")


def parse(text: str) -> Commentary:
    """A commentary file's text as blocks, or CommentaryError saying which line is wrong."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise CommentaryError(f"the file is larger than 1 MB ({MAX_BYTES:,} bytes): a report's words fit in less")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    without = _COMMENT.sub(_blank, text)
    if "<!--" in without:
        at = without.index("<!--")
        raise CommentaryError("a note begun with <!-- is never closed with -->", without.count("\n", 0, at) + 1)
    commentary = Commentary()
    current: Block | None = None
    lines: list[str] = []
    fence: str | None = None
    seen: dict[str, int] = {}

    def close() -> None:
        if current is not None:
            current.text = "\n".join(lines).strip("\n")
            commentary.blocks.append(current)

    for number, line in enumerate(without.split("\n"), start=1):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        elif line.startswith("## "):
            found = _SECTION.match(line)
            heading, key = found.group("heading").strip(), found.group("key")
            if not heading:
                raise CommentaryError("a section's heading has no words after '## '", number)
            if key is not None and not _KEY.match(key):
                raise CommentaryError(f"{{#{key}}} is not a section's key: keys are lower-case letters, digits, "
                                      f"- and _, like {{#next_steps}}", number)
            block = Block(key or slug(heading), heading, "", number, keyed=key is not None)
            if block.key in seen:
                raise CommentaryError(f"the section '{heading}' is given twice (first on line {seen[block.key]})",
                                      number)
            seen[block.key] = number
            close()
            current, lines = block, []
            continue
        if current is None:
            if line.strip() and not (_TITLE.match(line) and not commentary.title):
                raise CommentaryError("text before the first section: each block starts with a '## ' heading "
                                      "naming its section", number)
            if _TITLE.match(line):
                commentary.title = line[2:].strip()
            continue
        lines.append(line)
    close()
    return commentary


def load(path: Path) -> Commentary:
    """The commentary file at ``path``, or CommentaryError naming it."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CommentaryError(f"the file is larger than 1 MB ({MAX_BYTES:,} bytes): a report's words fit in less",
                                  path=path)
        data = path.read_bytes()
    except OSError as problem:
        raise CommentaryError(f"cannot be read ({problem.strerror or problem})", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        raise CommentaryError("is not UTF-8 text: save it as UTF-8", line, path) from None
    try:
        return parse(text)
    except CommentaryError as problem:
        raise problem.at(path) from None


def commentary_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the web app keeps each year's commentary file, and the command line looks for it:
    COMPLAINTS_COMMENTARY_DIR, else ``commentary`` in the var folder (COMPLAINTS_VAR_DIR, var)."""
    env = os.environ if environ is None else environ
    named = env.get(DIR_ENV)
    if named:
        return Path(named)
    return Path(env.get("COMPLAINTS_VAR_DIR") or "var") / DEFAULT_DIR


def commentary_path(year_label: str, folder: Path | None = None) -> Path:
    return (folder or commentary_dir()) / f"{year_label}.md"


# ---------------------------------------------------------------------------------- HTML


def _links_only_to_the_web(url: str) -> bool:
    return bool(_LINKS_ALLOWED.match(url.strip()))


def _image_as_words(self, tokens, idx, options, env) -> str:
    # The report is one file that fetches nothing: an image is its description, as text.
    words = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return str(escape(f"[{words}]")) if words else ""


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = _links_only_to_the_web
    md.add_render_rule("image", _image_as_words)
    return md


_MD = _markdown()


def html(block: Block) -> Markup:
    """The block as HTML, safe to put in the report: its headings sit under the section's own
    (a '#' is an h4), raw HTML shows as typed, links only to web and email addresses."""
    tokens = _MD.parse(block.text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 3, 6)}"
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))


# ---------------------------------------------------------------------------------- writing

# What the council writes in each section the final report needs, as the reference report does.
HINTS = {
    "introduction": "What a complaint is, which procedure applies to it (the statutory children's procedure "
                    "or the corporate one) and why, and who may complain.",
    "volume": "What changed in the number of complaints since last year, and why.",
    "advocacy": "How children and young people are supported to raise concerns: the advocacy service and "
                "other ways they can be heard.",
    "timeliness": "The reasons responses were late, and what is being done about them.",
    "learning": "The themes of the learning from complaints, and what has changed because of them.",
    "effectiveness": "How well the complaints procedure worked this year.",
    "recommendations": "The recommendations for the year ahead.",
    "next_steps": "What the Complaints Team will do next.",
}


def hint(slot: Slot) -> str:
    """What the council writes in a section: the reference report's narrative for the ones the
    final report needs; for the others, that words are welcome but not needed."""
    if slot.key in HINTS:
        return HINTS[slot.key]
    if slot.required:
        return f"The council's commentary on {slot.heading[:1].lower() + slot.heading[1:]}."
    return "Optional: anything the figures in this section need said about them."


def _head(year_label: str) -> list[str]:
    return [
        f"# Commentary for the annual report {year_label}",
        "",
        "<!-- The council's own words, each printed where its section stands in the report.",
        "     Write under a section's heading; leave it empty for no commentary. Do not change the",
        "     headings or the {#keys}. Markdown: a blank line between paragraphs, *italic*, **bold**,",
        "     lists with '-', '#' for a heading inside a section, links as [words](https://...).",
        "     Notes like this one are not printed. -->",
    ]


def _section(slot_or_block: Slot | Block, text: str, note: str) -> list[str]:
    lines = ["", f"## {slot_or_block.heading} {{#{slot_or_block.key}}}", ""]
    if note:
        lines += [f"<!-- {note} -->", ""]
    if text.strip():
        lines += [text.strip("\n"), ""]
    return lines


def _note(slot: Slot) -> str:
    return ("Required for the final report. " if slot.required else "") + hint(slot).replace("--", "-")


def template(slots: list[Slot], year_label: str) -> str:
    """A starting file: every section's heading and key in report order, each with a note of
    what the council writes there."""
    lines = _head(year_label)
    for slot in slots:
        lines += _section(slot, "", _note(slot))
    return "\n".join(lines).rstrip("\n") + "\n"


def check_text(text: str) -> str | None:
    """Why a section's words cannot be kept as they are, or None: a line starting '## ' would
    begin another section, and an unclosed note would hide what follows."""
    fence = None
    for line in text.replace("\r\n", "\n").split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0]:
                fence = None
        elif opening:
            fence = opening.group(1)
        elif line.startswith("## "):
            return "must not have a line starting '## ', which starts a new section: use '# ' for a heading in it"
    if "<!--" in _COMMENT.sub("", text):
        return "has a note begun with <!-- that is never closed with -->"
    return None


def strays(commentary: Commentary, slots: list[Slot]) -> list[Block]:
    """The blocks written for no section of the report (a heading mistyped, a section gone)."""
    return [b for b in commentary.blocks if not any(b.matches(s.key, s.heading) for s in slots)]


def dumps(commentary: Commentary, slots: list[Slot], year_label: str) -> str:
    """The commentary as a file again, in report order with each section's note; a block for no
    section of this report is kept at the end, so nothing written is lost."""
    lines = _head(year_label)
    placed: set[int] = set()
    for slot in slots:
        block = commentary.block(slot.key, slot.heading)
        text = block.text if block is not None else ""
        if block is not None:
            placed.add(id(block))
        problem = check_text(text)
        if problem:
            raise CommentaryError(f"the commentary on {slot.heading} {problem}")
        lines += _section(slot, text, _note(slot))
    for block in commentary.blocks:
        if id(block) not in placed:
            lines += _section(block, block.text, "Not a section of this report: move these words or delete them.")
    found = "\n".join(lines).rstrip("\n") + "\n"
    parse(found)        # what is written must read back: the size, and every section once
    return found


def save(text: str, path: Path) -> None:
    """Writes the file whole or not at all: a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
