"""The web app's areas, one module each; every module has its ``routes``."""

from web.views import (
    actions, admin, audit_log, complaint_page, complaints_list, dashboard, directory, family, help_pages,
    my_work, print_queue, public_form, register, reports, settings, sign_in,
)

ALL_ROUTES = [
    *sign_in.routes, *help_pages.routes, *public_form.routes, *family.routes, *dashboard.routes,
    *complaints_list.routes, *my_work.routes, *complaint_page.routes, *actions.routes, *directory.routes,
    *print_queue.routes, *reports.routes, *audit_log.routes, *admin.routes, *settings.routes,
    *register.routes,
]
