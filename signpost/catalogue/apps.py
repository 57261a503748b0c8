from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "signpost.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import rows  # noqa: F401  (registers the any_of lookup)
