from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.two_factor_setup, name="two_factor"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("still-current/<str:token>/", views.still_current, name="confirm"),
    path("owner/", views.owner_home, name="owner"),
    path("owner/new/", views.owner_new, name="owner_new"),
    path("owner/resources/<int:pk>/change/", views.owner_change, name="owner_change"),
    path("owner/resources/<int:pk>/withdraw/", views.owner_withdraw, name="owner_withdraw"),
    path(
        "owner/resources/<int:pk>/still-current/",
        views.owner_still_current,
        name="owner_still_current",
    ),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/edit/", views.submission_edit, name="submission_edit"),
    path("submissions/<int:pk>/message/", views.submission_message, name="submission_message"),
    path(
        "submissions/<int:pk>/<str:decision>/",
        views.editor_decide,
        name="submission_decide",
    ),
    path("editor/", views.editor_home, name="editor"),
    path("editor/invite/", views.editor_invite, name="editor_invite"),
    path("editor/resources/<int:pk>/", views.editor_resource, name="editor_resource"),
    path("files/<int:pk>/", views.stored_file, name="stored_file"),
    path("editor/agreements/<int:pk>/evidence/", views.agreement_evidence, name="evidence"),
]
