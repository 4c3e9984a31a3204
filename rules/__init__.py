"""The rules of the complaint procedures, as plain functions and types.

Nothing in this package knows about Temporal, databases or mail: the workflows call
into it, and its tests read as the rulebook (docs/procedures.md).
"""
