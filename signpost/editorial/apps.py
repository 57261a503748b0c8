from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "signpost.editorial"
    label = "editorial"
    verbose_name = "Editorial"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from signpost.catalogue.events import resources_recorded

        from .audit import on_resources_recorded
        from .sign_in import on_sign_in, on_sign_in_failed

        resources_recorded.connect(on_resources_recorded, dispatch_uid="audit-history")

        user_login_failed.connect(on_sign_in_failed, dispatch_uid="sign-in-failed")
        user_logged_in.connect(on_sign_in, dispatch_uid="sign-in")
