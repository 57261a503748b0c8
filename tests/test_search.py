"""Search behaviour, run as it is on SQLite (FTS5) and again on PostgreSQL by `make test`."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signpost.catalogue.models import Resource
from signpost.search.engine import FACET_NAMES as FACETS
from signpost.search.engine import SearchParams, known_filters, search

from .factories import ResourceFactory, TopicFactory

HOSTILE = [
    '"', '""', '"unbalanced phrase', "(", ")", "((a", "-x", "a-b.2", "AND", "OR", "NOT", "NEAR(",
    "NEAR(a b, 2)", "*", "a*", ":", "title:x", "<a@b>", "'; DROP TABLE catalogue_resource; --",
    "1 OR 1=1", "\x00", "a\x00b", "\x01\x02\x03", "\t\n\r", "😀 trafficking 🚨",
    "торгівля людьми",
    "Tiếng Việt buôn người", "^", "{}", "[]", "\\", "%", "_", "a" * 1200, "x " * 600, "&&",
    "||", "!", "@@", "<->", "'", "`", "$$", "\u200b", "ﷺ", "ǅ",
]  # fmt: skip


def top(q, n=3, **params):
    return [r.uid for r in search(SearchParams(q=q, **params)).resources[:n]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("car wash", {"hand-car-wash-study-2018", "rights-lab-safe-car-wash-app"}),
        ("Ukrainian refugees", {"osce-be-safe-ukraine"}),
        ("nurse", {"nursing-signs-of-modern-slavery-flyer"}),
        ("signs of slavery", {"nursing-signs-of-modern-slavery-flyer"}),
        ("Vietnamese children cannabis", {"vietnamese-children-cannabis-animation"}),
        ("powers of entry", {"national-enforcement-powers-guide"}),
    ],
)
def test_relevant_resources_come_first(demo, query, expected):
    assert expected <= set(top(query)), top(query)


def test_compensation_report_is_first(demo):
    assert top("compensation", 1) == ["atleu-criminal-injuries-compensation"]


def test_misspelling_gets_a_suggestion(demo):
    assert search(SearchParams(q="trafficing")).suggestion == "trafficking"
    assert search(SearchParams(q="trafficking")).suggestion is None


def test_abbreviation_finds_the_words_it_stands_for(demo):
    found = set(top("NRM", 20))
    only_long_form = {
        r.uid
        for r in Resource.objects.published()
        if "National Referral Mechanism" in r.summary + r.title and "NRM" not in r.summary + r.title
    }
    assert only_long_form, "the demo has resources that only say National Referral Mechanism"
    assert only_long_form <= found


def test_stemming_and_organisation_abbreviations(demo):
    assert "atmg-prevention-of-trafficking" in top("traffickers", 40)
    assert top("OSCE", 1) == ["osce-be-safe-ukraine"]
    assert "atleu-criminal-injuries-compensation" in top("ATLEU", 5)


def test_phrases_in_quotes(db):
    ResourceFactory(uid="phrase", title="Ethical audits of factories")
    ResourceFactory(uid="apart", title="Audits that are ethical")
    assert top('"ethical audits"', 5) == ["phrase"]
    assert set(top("ethical audits", 5)) == {"phrase", "apart"}


def test_and_is_relaxed_to_most_words_ranked_by_how_many_match_and_says_so(db):
    ResourceFactory(uid="one", title="Compensation for survivors")
    ResourceFactory(uid="two", title="Compensation claims explained")
    ResourceFactory(uid="three", title="Compensation for survivors of trafficking, by the hour")
    ResourceFactory(uid="four", title="Labour inspections")
    # No resource has all four words; "zebra" is in none, so it cannot count against them.
    # Of the other three, a result must have at least half, those with more first.
    results = search(SearchParams(q="compensation survivors trafficking zebra"))
    assert results.relaxed
    assert [r.uid for r in results.resources][:2] == ["three", "one"]
    assert "two" not in [r.uid for r in results.resources]
    assert "four" not in [r.uid for r in results.resources]
    # Four known words, and "labour" alone is only a quarter of them.
    results = search(SearchParams(q="compensation survivors trafficking labour"))
    assert results.relaxed and "four" not in [r.uid for r in results.resources]
    assert not search(SearchParams(q="compensation survivors")).relaxed


def test_highlights_mark_words_and_escape_everything_else(db, client):
    ResourceFactory(
        uid="x",
        title="<script>alert(1)</script> Trafficking & exploitation",
        summary="About <b>trafficking</b> of people.",
    )
    results = search(SearchParams(q="trafficking"))
    highlight = results.highlights[results.resources[0].pk]
    # Highlights are data: spans of text, matched or not, with the text exactly as written.
    assert highlight.title == [
        ("<script>alert(1)</script> ", False),
        ("Trafficking", True),
        (" & exploitation", False),
    ]
    assert ("trafficking", True) in highlight.excerpt
    html = client.get("/resources/", {"q": "trafficking"}).content.decode()
    assert "<mark>Trafficking</mark>" in html and "<script>alert" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Trafficking</mark> &amp; exploitation" in html
    )
    assert "<mark>trafficking</mark>" in html and "<b>" not in html
    # The API returns the same spans as data, never HTML.
    item = client.get("/api/v1/resources", {"q": "trafficking"}).json()["results"][0]
    assert {"text": "Trafficking", "match": True} in item["highlight"]["title"]
    assert "<mark>" not in json.dumps(item)


def test_stop_words_are_never_highlighted(db):
    ResourceFactory(uid="x", title="What to do if your employer keeps your passport")
    results = search(SearchParams(q='what do i do if "my employer" keeps my passport'))
    marked = [t.lower() for t, m in results.highlights[results.resources[0].pk].title if m]
    assert "passport" in marked
    assert not {"what", "do", "if", "your", "to"} & set(marked)


def _facet_cases(demo_params):
    results = search(demo_params)
    for facet in FACETS:
        for item in results.facets[facet][:6]:
            yield facet, item


@pytest.mark.parametrize(
    "params",
    [
        SearchParams(),
        SearchParams(q="trafficking"),
        SearchParams(q="modern slavery", filters={"audience": ["policy-makers"]}),
        SearchParams(
            filters={"topic": ["child-trafficking", "survivor-support"], "language": ["en"]}
        ),
    ],
    ids=["all", "query", "query+filter", "filters"],
)
def test_each_facet_count_is_the_count_after_applying_it(demo, params):
    results = search(params)
    checked = 0
    for facet in FACETS:
        for item in results.facets[facet]:
            if facet == "year":
                # The year is a range: one year from and to is that year's count.
                year = int(item.value)
                narrowed = SearchParams(
                    q=params.q, filters=params.filters, year_from=year, year_to=year
                )
                assert search(narrowed).count == item.count, (facet, item)
                checked += 1
                continue
            chosen = set(params.filters.get(facet, []))
            if item.selected:
                # A selected value's count is what it contributes on its own among its facet.
                applied = {facet: [item.value]}
            else:
                applied = (
                    {facet: sorted(chosen | {item.value})} if chosen else {facet: [item.value]}
                )
            narrowed = SearchParams(q=params.q, filters={**params.filters, **applied})
            if chosen and not item.selected:
                # With other values of this facet chosen, the value adds its own resources (OR).
                alone = search(
                    SearchParams(q=params.q, filters={**params.filters, facet: [item.value]})
                )
                assert alone.count == item.count, (facet, item)
            else:
                assert search(narrowed).count == item.count, (facet, item)
            checked += 1
    assert checked > 10


def test_facets_count_other_selections_but_not_their_own(db):
    red, blue = TopicFactory(slug="red", name="Red"), TopicFactory(slug="blue", name="Blue")
    ResourceFactory(topics=[red], languages=["en"])
    ResourceFactory(topics=[red], languages=["uk"])
    ResourceFactory(topics=[blue], languages=["uk"])
    results = search(SearchParams(filters={"topic": ["red"], "language": ["uk"]}))
    assert results.count == 1
    topics = {v.value: v.count for v in results.facets["topic"]}
    languages = {v.value: v.count for v in results.facets["language"]}
    assert topics == {"red": 1, "blue": 1}, "topic counts apply the language filter only"
    assert languages == {"en": 1, "uk": 1}, "language counts apply the topic filter only"


def test_zero_results_offer_to_remove_filters_with_counts(demo, client):
    params = SearchParams(q="car wash", filters={"language": ["uk"]})
    results = search(params)
    assert results.count == 0
    assert [(r.facet, r.count) for r in results.relaxations] == [("language", 2)]
    assert results.without_filters == 2
    html = client.get("/resources/", {"q": "car wash", "language": "uk"}).content.decode()
    assert "remove the language filter</a> (2 resources)" in html


def test_sort_orders(demo):
    newest = search(SearchParams(q="trafficking", sort="newest")).resources
    dates = [r.published_date for r in newest if r.published_date]
    assert dates == sorted(dates, reverse=True)
    titles = [r.title for r in search(SearchParams(sort="title", page_size=100)).resources]
    assert titles == sorted(titles, key=str.casefold)


def test_index_follows_every_write(demo, tmp_path, django_capture_on_commit_callbacks):
    assert top("zanzibar") == []
    out = io.StringIO()
    call_command("export_resources", str(tmp_path / "all.jsonl"), stdout=out)
    records = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text().splitlines()]
    record = next(r for r in records if r["id"] == "osce-be-safe-ukraine")
    record["title"] = "Be Safe in Zanzibar"
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_resources", str(tmp_path / "one.jsonl"), stdout=out)
    assert top("zanzibar") == ["osce-be-safe-ukraine"]
    record["status"] = "withdrawn"
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_resources", str(tmp_path / "one.jsonl"), stdout=out)
    assert top("zanzibar") == []
    assert "osce-be-safe-ukraine" not in top("Ukrainian refugees")


def test_rebuild_index_command(demo):
    out = io.StringIO()
    call_command("rebuild_index", stdout=out)
    assert "Indexed 61 published resources" in out.getvalue()
    assert top("compensation", 1) == ["atleu-criminal-injuries-compensation"]


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_a_page_never_an_error(demo, client, query):
    # Control characters no person types are refused whole; everything else is searched.
    expected = 400 if CONTROL.search(query) else 200
    assert client.get("/resources/", {"q": query}).status_code == expected
    response = client.get("/api/v1/resources", {"q": query})
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] >= 0
    # As a filter value, no such topic or language exists: the page says so, the API too.
    if query.strip() and expected == 200:
        page = client.get("/resources/", {"q": query, "topic": query})
        assert page.status_code == 200 and "No published resource has the topic" in page.text
        response = client.get("/api/v1/resources", {"topic": query, "language": query})
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "topic"


def test_search_page_query_count_is_bounded(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        client.get(
            "/resources/", {"q": "modern slavery", "topic": "child-trafficking", "language": "en"}
        )


class TestApi:
    def test_search_shape_and_facets_round_trip(self, demo, client):
        body = client.get("/api/v1/resources", {"q": "trafficking", "page_size": 5}).json()
        assert set(body) >= {"count", "page", "page_size", "results", "facets", "suggestion"}
        assert body["page_size"] == 5 and len(body["results"]) == 5
        first = body["results"][0]
        assert set(first) >= {
            "id", "slug", "title", "url", "resource_type", "published", "languages",
            "organisations", "summary", "highlight",
        }  # fmt: skip
        spans = first["highlight"]["title"] + first["highlight"]["excerpt"]
        assert any(span["match"] for span in spans)
        assert set(body["facets"]) == set(FACETS)
        for facet, values in body["facets"].items():
            value = values[0]
            again = client.get(
                "/api/v1/resources", {"q": "trafficking", facet: value["value"]}
            ).json()
            assert again["count"] == value["count"], facet

    def test_one_resource_without_editorial_fields(self, demo, client):
        body = client.get("/api/v1/resources/osce-be-safe-ukraine").json()
        assert body["id"] == "osce-be-safe-ukraine"
        assert [v["language"] for v in body["versions"]] == ["uk", "ru", "en"]
        assert not {"status", "owner_agreement", "review_by"} & set(body)

    def test_unpublished_and_unknown_are_404(self, db, client):
        ResourceFactory(uid="draft-one", status="draft")
        assert client.get("/api/v1/resources/draft-one").status_code == 404
        assert client.get("/api/v1/resources/nope").status_code == 404

    def test_openapi_schema(self, db, client):
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/resources" in schema["paths"]
        assert "/api/v1/resources/{resource_id}" in schema["paths"]


filter_values = st.sampled_from(
    ["en", "uk", "report", "police", "child-trafficking", "2022", "nope", ""]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=80),
    filters=st.dictionaries(
        st.sampled_from(FACETS), st.lists(filter_values | st.text(max_size=8), max_size=3)
    ),
    sort=st.sampled_from(["", "relevance", "newest", "oldest", "title", "x"]),
    page=st.integers(min_value=-5, max_value=10_000),
)
def test_random_queries_and_filters_never_fail(demo, client, q, filters, sort, page):
    params = {"q": q, "sort": sort, "page": page, **filters}
    values = [q, *(v for vs in filters.values() for v in vs)]
    refused = any(CONTROL.search(v) for v in values)
    asked = {f: [v.strip() for v in vs if v.strip()] for f, vs in filters.items() if f != "year"}
    known = known_filters(asked)
    unknown = any(v not in known.get(f, []) for f, vs in asked.items() for v in vs)
    page_status = 400 if refused else 200
    # The API refuses what the page shows an error message for: a filter nothing has.
    api_status = 400 if refused else 422 if page < 1 or unknown else 200
    assert client.get("/api/v1/resources", params).status_code == api_status
    assert client.get("/resources/", params).status_code == page_status


def test_backend_matches_the_database(db):
    from signpost.search.backends import backend_for

    assert backend_for("default").vendor == connection.vendor


def test_the_worst_suggestion_request_is_bounded(demo, django_assert_max_num_queries):
    """A quoted phrase of 119 unknown words, against a vocabulary of 20,000 words."""
    from signpost.search.backends import backend_for
    from signpost.search.models import SearchWord

    SearchWord.objects.bulk_create(
        [SearchWord(word=f"vocab{n:05d}word", length=14, frequency=1) for n in range(20_000)],
        ignore_conflicts=True,
    )
    phrase = " ".join(f"vocab{n:05d}wrod" for n in range(119))
    backend = type(backend_for("default"))
    looked_up = []
    original = backend.suggest

    def counting(self, word):
        looked_up.append(word)
        return original(self, word)

    backend.suggest = counting
    try:
        # The phrase is cut at 1,000 characters, losing its closing quote: 12 words, each a
        # clause; relaxing asks once per clause (at most 12), suggestions a bounded few more.
        with django_assert_max_num_queries(40):
            results = search(SearchParams(q=f'"{phrase}"'))
    finally:
        backend.suggest = original
    assert results.count == 0
    assert len(looked_up) <= 3
    assert len(results.query.clauses[0].original) <= 12
