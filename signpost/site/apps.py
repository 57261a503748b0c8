from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "signpost.site"
    label = "site"
    verbose_name = "Public site"
