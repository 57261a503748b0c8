from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:version_id>/cover.webp", views.version_thumbnail, name="thumbnail"),
    path("<int:version_id>/<str:filename>", views.version_file, name="file"),
]
