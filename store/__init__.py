"""The record store: what the annual report and `complaints status` read.

The workflow holds the live state of each complaint; after every change an activity
saves a snapshot of it here, with the mail it decided to send (the outbox), in one
transaction.
"""

from store.outbox import OutboxMail
from store.record_store import RecordStore, database_url

__all__ = ["OutboxMail", "RecordStore", "database_url"]
