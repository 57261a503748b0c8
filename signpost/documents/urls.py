from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:file_id>/cover.webp", views.file_thumbnail, name="thumbnail"),
    path("<int:file_id>/<str:filename>", views.file_download, name="file"),
]
