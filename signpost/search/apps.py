from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "signpost.search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from signpost.catalogue.events import resources_changed

        from .index import on_resources_changed

        resources_changed.connect(on_resources_changed, dispatch_uid="search-index")
