from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "signpost.worker"
    label = "worker"
    verbose_name = "Background work"
    default_auto_field = "django.db.models.BigAutoField"
