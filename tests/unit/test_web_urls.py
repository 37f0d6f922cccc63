"""One article, many URLs: the key that recognises it, and the doc id derived from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.web.urls import BadURL, check_http_url, doc_id_for, same_site, url_key, without_tracking

ARTICLE = "https://www.example.com/world/2025/03/04/bridge-closed"


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.example.com/world/2025/03/04/bridge-closed",  # http/https
        "https://example.com/world/2025/03/04/bridge-closed",  # www.
        "https://WWW.Example.COM/world/2025/03/04/bridge-closed",  # host case
        "https://www.example.com:443/world/2025/03/04/bridge-closed",  # default port
        "https://www.example.com/world/2025/03/04/bridge-closed/",  # trailing slash
        "https://www.example.com/world/2025/03/04/bridge-closed#comments",  # fragment
        "https://www.example.com/world/2025/03/04/bridge-closed?utm_source=rss&utm_medium=feed",
        "https://www.example.com/world/2025/03/04/bridge-closed?fbclid=IwAR0abc",
        "https://www.example.com/world/2025/03/04/bridge-closed?gclid=x&mc_cid=y&mc_eid=z",
        "https://amp.example.com/world/2025/03/04/bridge-closed",  # AMP host
        "https://www.example.com/amp/world/2025/03/04/bridge-closed",  # AMP path prefix
        "https://www.example.com/world/2025/03/04/bridge-closed/amp",  # AMP path suffix
        "https://www.example.com/world/2025/03/04/bridge-closed?amp=1",
        "https://www.example.com/world/2025/03/04/bridge-closed?outputType=amp",
        "https://m.example.com/world/2025/03/04/bridge-closed",  # mobile host
        "https://www.example.com/world/2025/03/04/bridge%2Dclosed",  # needless percent-encoding
    ],
)
def test_the_same_article_reached_by_another_url_has_the_same_key_and_doc_id(variant):
    assert url_key(variant) == url_key(ARTICLE)
    assert doc_id_for(variant) == doc_id_for(ARTICLE)


@pytest.mark.parametrize(
    "other",
    [
        "https://www.example.com/world/2025/03/04/bridge-reopened",  # another article
        "https://www.example.com/article?id=2",  # a parameter that selects content
        "https://www.example.net/world/2025/03/04/bridge-closed",  # another outlet
        "https://www.example.com:8443/world/2025/03/04/bridge-closed",  # another server
        "https://www.example.com/World/2025/03/04/Bridge-Closed",  # paths are case-sensitive
    ],
)
def test_different_articles_keep_different_keys(other):
    assert url_key(other) != url_key(ARTICLE)
    assert doc_id_for(other) != doc_id_for(ARTICLE)


def test_query_parameter_order_does_not_matter_but_their_values_do():
    assert url_key("https://x.org/a?b=2&a=1") == url_key("https://x.org/a?a=1&b=2")
    assert url_key("https://x.org/a?id=1") != url_key("https://x.org/a?id=2")
    assert url_key("https://x.org/a?output=json") != url_key("https://x.org/a")  # only output=amp is decoration


def test_doc_id_is_readable_and_safe_as_a_file_name():
    doc_id = doc_id_for("https://www.example.com/world/2025/03/04/Bridge_Closed.html?utm_source=x")
    assert doc_id.startswith("example.com_bridge-closed_")
    assert all(ch.isalnum() or ch in "._-" for ch in doc_id)
    assert len(doc_id) < 100


def test_url_without_tracking_keeps_everything_else():
    assert without_tracking("https://www.x.org/a/b/?utm_source=rss&id=3#top") == "https://www.x.org/a/b/?id=3"
    assert without_tracking("http://x.org") == "http://x.org/"


@pytest.mark.parametrize(
    "bad",
    ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "example.com/a", "http://", "http://x:99999/"],
)
def test_only_http_and_https_urls_are_accepted(bad):
    with pytest.raises(BadURL):
        check_http_url(bad)


def test_same_site_is_one_outlet_not_a_syndication_partner():
    assert same_site("https://www.bbc.co.uk/news/1", "https://amp.bbc.co.uk/news/1")
    assert same_site("https://edition.cnn.com/a", "https://cnn.com/b")
    assert not same_site("https://apnews.com/a", "https://www.citizensvoice.com/a")


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
_paths = st.lists(_segment, min_size=0, max_size=4).map(lambda s: "/" + "/".join(s))
_query = st.lists(st.tuples(st.sampled_from(["id", "page", "q", "lang"]), _segment), max_size=3)
_tracking = st.lists(
    st.tuples(st.sampled_from(["utm_source", "utm_campaign", "fbclid", "gclid", "ocid", "cmpid"]), _segment),
    max_size=3,
)


@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.sampled_from(["example.com", "www.example.com", "news.example.org"]),
    path=_paths,
    query=_query,
    tracking=_tracking,
    fragment=st.sampled_from(["", "#top", "#comments"]),
)
def test_tracking_parameters_and_fragments_never_change_the_key(scheme, host, path, query, tracking, fragment):
    from urllib.parse import urlencode

    plain = f"{scheme}://{host}{path}" + (f"?{urlencode(query)}" if query else "")
    decorated = f"{scheme}://{host}{path}?{urlencode(query + tracking)}{fragment}"
    assert url_key(decorated) == url_key(plain)
    assert url_key("https://" + url_key(plain)) == url_key(plain)  # a key is its own key


def test_another_port_is_another_site():
    assert same_site("http://example.com/a", "https://example.com:443/b")
    assert not same_site("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/a")
