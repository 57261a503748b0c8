from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "signpost.documents"
    label = "documents"
    verbose_name = "Documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from signpost.catalogue.files import file_handlers_register

        from .services import document_check, document_store

        file_handlers_register(check=document_check, store=document_store)
