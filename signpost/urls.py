from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from signpost.api.api import api

admin.site.site_header = "Signpost editors"
admin.site.site_title = "Signpost editors"

urlpatterns: list[URLPattern | URLResolver] = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("api/v1/", api.urls),
    path("files/", include("signpost.documents.urls")),
    path("", include("signpost.opendata.urls")),
]
# The public pages and the partners' and editors' pages in every interface language: English
# at the root, others under /pl/ etc.
urlpatterns += i18n_patterns(
    path("staff/", include("signpost.editorial.urls")),
    path("", include("signpost.site.urls")),
    prefix_default_language=False,
)

handler404 = "signpost.site.views.page_not_found"
handler500 = "signpost.site.views.server_error"
