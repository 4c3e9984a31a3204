"""Notifications: the letters and reminders a complaint sends, and how they are mailed.

- ``notifications.render``: turns a ``Notice`` into a subject, plain text and HTML.
- ``notifications.mailer``: builds the email and sends it over SMTP.
- ``notifications.sink``: a local SMTP server that captures mail (for ``make up``,
  tests and simulation).

Nothing is imported here on purpose: workflow modules must stay free of Jinja2 and
the SMTP libraries (they slow the Temporal sandbox badly), so each caller imports
the module it needs, inside an activity.
"""
