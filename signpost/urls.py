from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from signpost.api.api import api

admin.site.site_header = "Signpost editors"
admin.site.site_title = "Signpost editors"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("staff/", include("signpost.editorial.urls")),
    path("api/v1/", api.urls),
    path("files/", include("signpost.documents.urls")),
    path("", include("signpost.opendata.urls")),
    path("", include("signpost.site.urls")),
]

handler404 = "signpost.site.views.page_not_found"
handler500 = "signpost.site.views.server_error"
