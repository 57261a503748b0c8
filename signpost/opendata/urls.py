from django.urls import path

from . import oai, views

app_name = "opendata"

urlpatterns = [
    path("data/", views.data_page, name="data"),
    path(
        "data/signpost-catalogue.jsonl", views.catalogue_download, {"format": "jsonl"}, name="jsonl"
    ),
    path("data/signpost-catalogue.csv", views.catalogue_download, {"format": "csv"}, name="csv"),
    path("feed/", views.newest_feed, name="feed"),
    path("resources/feed/", views.search_feed, name="search_feed"),
    path("resources/download.csv", views.search_download, name="search_csv"),
    path(
        "organisations/<slug:key>/feed/",
        views.term_feed,
        {"kind": "organisations"},
        name="organisation_feed",
    ),
    path("topics/<slug:key>/feed/", views.term_feed, {"kind": "topics"}, name="topic_feed"),
    path(
        "audiences/<slug:key>/feed/", views.term_feed, {"kind": "audiences"}, name="audience_feed"
    ),
    path("languages/<str:key>/feed/", views.term_feed, {"kind": "languages"}, name="language_feed"),
    path("oai/", oai.endpoint, name="oai"),
]

for _format in views.CITATION_FORMATS:
    urlpatterns += [
        path(
            f"resources/<slug:slug>/cite.{_format}",
            views.resource_citation,
            {"format": _format},
            name=f"cite_{_format}",
        ),
        path(
            f"resources/cite.{_format}",
            views.search_citations,
            {"format": _format},
            name=f"search_cite_{_format}",
        ),
    ]
