from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .sitemaps import SITEMAPS

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource"),
    path("organisations/", views.browse, {"kind": "organisations"}, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("topics/", views.browse, {"kind": "topics"}, name="topics"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("audiences/", views.browse, {"kind": "audiences"}, name="audiences"),
    path("audiences/<slug:slug>/", views.audience_detail, name="audience"),
    path("languages/", views.browse, {"kind": "languages"}, name="languages"),
    path("languages/<str:code>/", views.language_detail, name="language"),
    path("using-this-site-safely/", views.page, {"template": "safety"}, name="safety"),
    path("accessibility/", views.page, {"template": "accessibility"}, name="accessibility"),
    path("privacy/", views.page, {"template": "privacy"}, name="privacy"),
    path("robots.txt", views.robots, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
