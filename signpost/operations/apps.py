from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the site rather than the catalogue: backup and restore. No models."""

    name = "signpost.operations"
    label = "operations"
    verbose_name = "Operations"
