from django.urls import include, path, re_path

from exact_sandbox import api, control, corrections_views, oauth, ui

site_patterns = [
    path("api/oauth2/auth", oauth.authorize),
    path("api/oauth2/token", oauth.token),
    re_path(r"^api/v1/(?i:current/Me)$", api.me),
    re_path(r"^api/v1/(?P<division>\d+)/(?P<path>.+)$", api.endpoint),
]

urlpatterns = [
    path("", ui.index),
    path("divisions/<int:code>/", ui.sales_entries),
    path("divisions/<int:code>/accounts/", ui.accounts),
    path("divisions/<int:code>/receivables/", ui.receivables),
    path("divisions/<int:code>/receivables/<uuid:receivable_id>/pay/", ui.receivable_pay),
    path("divisions/<int:code>/receivables/<uuid:receivable_id>/undo/", ui.receivable_undo),
    path("divisions/<int:code>/attachments/<uuid:attachment_id>/", ui.attachment),
    path("divisions/<int:code>/entries/book/", corrections_views.entry_book),
    path("divisions/<int:code>/entries/<uuid:entry_id>/edit/", corrections_views.entry_edit),
    path("divisions/<int:code>/entries/<uuid:entry_id>/reverse/", corrections_views.entry_reverse),
    path("divisions/<int:code>/entries/<uuid:entry_id>/delete/", corrections_views.entry_delete),
    path(
        "divisions/<int:code>/entries/<uuid:entry_id>/duplicate/",
        corrections_views.entry_duplicate,
    ),
    path("docs/SysAttachment.aspx", ui.sys_attachment),
    path("_sandbox/reset", control.reset),
    path("_sandbox/counters", control.counters),
    path("_sandbox/counters/reset", control.counters_reset),
    path("_sandbox/clock", control.clock),
    path("_sandbox/faults", control.faults),
    path("_sandbox/limits", control.limits),
    path("_sandbox/state", control.state),
    path("_sandbox/divisions/<int:code>", control.division_settings),
    path("_sandbox/receivables/<uuid:receivable_id>/split", control.receivable_split),
    path("_sandbox/entries/<uuid:entry_id>/edit", corrections_views.control_entry_edit),
    path("_sandbox/entries/<uuid:entry_id>/reverse", corrections_views.control_entry_reverse),
    path("_sandbox/entries/<uuid:entry_id>/delete", corrections_views.control_entry_delete),
    path("_sandbox/entries/<uuid:entry_id>/duplicate", corrections_views.control_entry_duplicate),
    path("_sandbox/divisions/<int:code>/entries/book", corrections_views.control_entry_book),
    path("_sandbox/divisions/<int:code>/entries/bulk", corrections_views.control_entries_bulk),
    path("nl/", include(site_patterns), {"site": "nl"}),
    path("be/", include(site_patterns), {"site": "be"}),
    # The bare root is the Netherlands site, like start.exactonline.nl.
    path("", include(site_patterns), {"site": "nl"}),
]
