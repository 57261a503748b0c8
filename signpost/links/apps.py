from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "signpost.links"
    label = "links"
    verbose_name = "Link health"
    default_auto_field = "django.db.models.BigAutoField"
