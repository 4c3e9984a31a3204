"""Which actions a person may take on a complaint now (the complaint page's list).

(Stub: the actions' helper fills it in.) Each item: {"path": "/complaints/<ref>/<action>",
"text": "Assign an investigating officer"}. Whether the rules then accept the action is
the workflow's to say; this only leaves out what the person's role may never do, or what
the complaint's state makes plainly pointless (resume when the clock runs).
"""

from __future__ import annotations

from web.access import Person


def actions_for(person: Person, record: dict, officers: list) -> list[dict]:
    return []
