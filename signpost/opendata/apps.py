from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "signpost.opendata"
    label = "opendata"
    verbose_name = "Open data"
