"""The resident module's paths outside /invanare/: staff SITHS login, the unit inbox of
residents' messages, and the demo identity provider's login picker. Included by the core's
URLconf as a string, so the core imports no module."""

from django.urls import path

from invanare import idp, views_inbox, views_staff

urlpatterns = [
    path("login/siths/", views_staff.siths_start, name="siths_start"),
    path("login/siths/klar/", views_staff.siths_done, name="siths_done"),
    path("meddelanden/", views_inbox.inbox, name="resident_inbox"),
    path("meddelanden/<int:thread_id>/", views_inbox.thread, name="resident_inbox_thread"),
    # The demo identity provider's login picker (the provider itself is /oauth/).
    path("demo-idp/login/", idp.picker, name="demo_idp_login"),
]
