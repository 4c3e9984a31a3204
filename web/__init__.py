"""The web app: screens for the Complaints Team, officers, managers and families.

Server-rendered pages on the GOV.UK Design System. The record store is what it reads;
every change goes through the complaint's workflow (its Updates and their validators),
as the command line does, so the rules stay in one place (``web.engine``). Who may see
and do what is ``web.access``; every sign-in, view and action is in the audit log
(``web.audit``).
"""
