"""Letters that go by post: the same letter as the email, on A4, as a PDF for the print queue.

The recipient's name and address sit where a DL window envelope shows them (a C5/6 or DL
window is 20 mm from the left edge and about 45 mm from the top of a sheet folded in
three), so the letter needs no envelope written by hand. WeasyPrint turns the letter's
HTML into the PDF; it needs Pango on the machine (Debian: libpango-1.0-0 and
libpangoft2-1.0-0).
"""

from __future__ import annotations

import html
import re

from council import current
from notifications.render import RenderedMail

PRINT_STYLE = """
<style>
@page { size: A4; margin: 20mm 20mm 20mm 20mm; }
body { padding: 0 !important; font-size: 11pt !important; }
.window { position: absolute; left: 0; top: 25mm; width: 90mm; height: 40mm; font-size: 11pt; line-height: 1.3; }
.after-window { margin-top: 72mm; }
.council { position: absolute; right: 0; top: 0; width: 70mm; text-align: right; font-size: 9.5pt; line-height: 1.3; }
</style>
"""


def window_block(name: str, address: str) -> str:
    lines = [name, *(line.strip() for line in address.splitlines() if line.strip())]
    return '<div class="window">' + "<br>".join(html.escape(line) for line in lines) + "</div>"


def return_block() -> str:
    """The council's own address, top right, for a reply by post."""
    council = current()
    lines = [council.name, *council.address, f"Telephone {council.telephone}"]
    return '<div class="council">' + "<br>".join(html.escape(str(line)) for line in lines) + "</div>"


def letter_html(mail: RenderedMail, name: str, address: str) -> str:
    """The email's HTML laid out for print: the council's address top right, the family's
    in the window, the letter below."""
    page = mail.html.replace("</head>", PRINT_STYLE + "</head>", 1)
    top = return_block() + window_block(name, address)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top + '<div class="after-window">', page,
                  count=1).replace("</body>", "</div></body>", 1)


def letter_pdf(mail: RenderedMail, name: str, address: str) -> bytes:
    from weasyprint import HTML  # heavy to import: only where letters are posted

    return HTML(string=letter_html(mail, name, address)).write_pdf()
