"""The lxml fast path for plain RSS 2.0 gives exactly what feedparser gives, or declines.

Every document here is parsed twice, by `parse_feed` as the poller calls it and with
`fast=False` (feedparser only), and the two results must be equal. The crafted documents
cover what feedparser decides on its own terms (HTML guessed in a title, entities,
sanitised markup, guid permalinks, link repairs, dates, Latin-1 repair, C1 controls,
windows-1251 declared or not, a BOM); the fixtures cover real feeds and hostile ones.
Where the fast path must decline (markup whose text the sanitizer reads differently,
unknown elements, elements nested in ones it skips, malformed XML, anything with a
DOCTYPE) the test says so, so a decline cannot hide a
difference and an accepted document cannot hide a decline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pipeline.parse.fast_rss import read_rss
from bot.pipeline.parse.feed import _choose_encoding, _declaration_first, _fast_path, parse_feed
from sandbox.synthetic import make_feed
from tests.helpers.paths import DATA, SAMPLES


def doc(
    items: str,
    channel: str = "<title>Feed &amp; co</title><link>https://e.org/</link>",
    enc: str = "utf-8",
    *,
    decl: bool = True,
) -> bytes:
    head = f'<?xml version="1.0" encoding="{enc}"?>' if decl else ""
    return (head + f'<rss version="2.0"><channel>{channel}{items}</channel></rss>').encode(enc)


def item(inner: str) -> str:
    return f"<item>{inner}</item>"


CASES = {
    "plain": doc(
        item(
            "<title>Hello</title><link>https://e.org/a</link><guid>g1</guid>"
            "<pubDate>Wed, 12 Oct 2022 10:00:00 +0300</pubDate>"
            "<description>Text here.</description>"
        )
    ),
    "entities_title": doc(
        item("<title>A &amp; B &lt;b&gt;x&lt;/b&gt;</title><description>d</description>")
    ),
    "entity_like": doc(
        item(
            "<title>x &amp;amp; y</title>"
            "<description>&lt;p&gt;Hello &amp;amp; &lt;b&gt;w&lt;/b&gt;&lt;/p&gt;</description>"
        )
    ),
    "iframe_title": doc(
        item("<title>&lt;iframe&gt;z&lt;/iframe&gt; w</title><description>d</description>")
    ),
    "script": doc(
        item(
            "<title>t</title><description>"
            "<![CDATA[<p>Hi &amp; <script>bad()</script> there</p>]]></description>"
        )
    ),
    "noscript": doc(
        item(
            "<title>t</title><description><![CDATA[<iframe>if</iframe>"
            "<noscript>ns</noscript> x]]></description>"
        )
    ),
    "lt_amp": doc(
        item(
            "<title>a &lt; b</title><description>"
            "<![CDATA[a < b & c &lt;tag&gt; &nbsp;x]]></description>"
        )
    ),
    "guid_link": doc(
        item("<title>t</title><guid>https://e.org/g?a=1&amp;b=2</guid><description>d</description>")
    ),
    "guid_nolink": doc(
        item(
            "<title>t</title><guid isPermaLink='false'>https://e.org/g</guid>"
            "<description>d</description>"
        )
    ),
    "link_amp": doc(
        item(
            "<title>t</title><link>https://e.org/x?a=1&amp;amp;b=2&amp;c;=3</link>"
            "<description>d</description>"
        )
    ),
    "rel_link": doc(item("<title>t</title><link>/news/1</link><description>d</description>")),
    "empty_link_guid": doc(
        item(
            "<guid>https://e.org/g</guid><link></link><title>t</title><description>d</description>"
        )
    ),
    "guid_after_link": doc(
        item("<link>https://e.org/l</link><guid>https://e.org/g</guid><title>t</title>")
    ),
    "triple_slash": doc(item("<title>t</title><link>http:////e.org/x</link>")),
    "js_link": doc(item("<title>t</title><link>javascript:alert(1)</link>")),
    "extras": doc(
        item(
            "<title>t</title><category>c</category><author>a@b</author>"
            "<comments>https://e.org/c</comments>"
            "<enclosure url='https://e.org/i.jpg' type='image/jpeg' length='1'/>"
            "<dc:creator xmlns:dc='http://purl.org/dc/elements/1.1/'>me</dc:creator>"
            "<description>d</description>"
        )
    ),
    "enclosure_only": doc(
        item("<title>t</title><enclosure url='https://e.org/i.jpg' type='image/jpeg' length='1'/>")
    ),
    "image": doc(
        item("<title>t</title>"),
        channel=(
            "<title>F</title><image><url>https://e.org/i.png</url>"
            "<title>Img</title><link>https://e.org/</link></image><ttl> 30 </ttl>"
        ),
    ),
    "image_after": doc(
        item("<title>t</title>"),
        channel=(
            "<image><url>https://e.org/i.png</url><title>Img</title>"
            "<link>https://e.org/</link></image><title>F2</title>"
        ),
    ),
    "no_title": doc(
        item("<description>Первое предложение. Второе.</description><pubDate>bad date</pubDate>")
    ),
    "empty_title_item": doc(item("<title></title><description></description>")),
    "dates": doc(
        item("<title>t</title><pubDate>2022-10-12T10:00:00Z</pubDate>")
        + item("<title>u</title><pubDate>Wed, 12 Oct 2022 10:00:00 GMT</pubDate>")
    ),
    "cp1251": doc(
        item(
            "<title>Учения у границы</title><description>Колонна техники &amp; танки</description>"
        ),
        channel="<title>Новости</title>",
        enc="windows-1251",
    ),
    "cp1251_nodecl": doc(
        item("<title>Учения</title><description>Колонна</description>"),
        enc="windows-1251",
        decl=False,
    ),
    "bom": b"\xef\xbb\xbf" + doc(item("<title>t</title>")),
    "latin1_mojibake": doc(
        item("<title>CafÃ© crÃ¨me</title><description>&lt;p&gt;CafÃ©&lt;/p&gt;</description>")
    ),
    "c1": doc(item("<title>x \u0093q\u0094</title><description>y\u0096z</description>")),
    "c1_reference": doc(
        item("<title>x &#147;q&#x94;</title><description>y&#150;z \u00e9</description>")
    ),
    "whitespace": doc(
        item(
            "<title>\n  Spaced   title \n</title>"
            "<description>\n <![CDATA[ <p>a</p>\n<p>b</p> ]]> </description>"
        )
    ),
    "html_attrs": doc(
        item(
            "<title>t</title><description>"
            "<![CDATA[<p style='color:red' onclick='x()'>A <a href='https://e.org'>link</a>"
            "<img src='x.png' alt='alt'/></p><br><ul><li>one</li><li>two</li>"
            "</ul>]]></description>"
        )
    ),
    "nonascii_attr": doc(
        item("<title>t</title><description><![CDATA[<p title='ж'>Café</p>]]></description>")
    ),
    "comment_in_html": doc(
        item("<title>t</title><description><![CDATA[a<!-- c -->b]]></description>")
    ),
    "xml_comment": doc(item("<title>t<!-- c --></title>")),
    "dup_title": doc(item("<title>t</title><title>u</title>")),
    "unknown_el": doc(
        item("<title>t</title><media:content xmlns:media='http://search.yahoo.com/mrss/' url='x'/>")
    ),
    "no_items": doc(""),
    "undefined_entity": doc(item("<title>a&nbsp;b</title>")),
    "ttl": doc(item("<title>t</title>"), channel="<title>F</title><ttl>15</ttl>"),
    "rss092": doc(item("<title>t</title>")).replace(b'version="2.0"', b'version="0.92"'),
    "html_title_tags": doc(item("<title>&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title>")),
    # Elements the fast path skips, with children feedparser reads into the entry.
    "nested_category": doc(
        item("<title>t</title><category><title>Inner</title>Army</category><guid>n1</guid>")
    ),
    "nested_author": doc(item("<title>t</title><author><name>A</name></author>")),
    "nested_comments": doc(
        item("<title>t</title><comments><link>https://e.org/c</link></comments>")
    ),
    "nested_enclosure": doc(
        item("<title>t</title><enclosure url='https://e.org/a.mp3'><title>x</title></enclosure>")
    ),
    "nested_channel_category": doc(
        item("<title>t</title>"), channel="<title>F</title><category><link>x</link></category>"
    ),
    "flat_category": doc(item("<title>t</title><category>Army</category><author>a@e.org</author>")),
}

DECLINED = {
    "script",
    "noscript",
    "nonascii_attr",
    "comment_in_html",
    "xml_comment",
    "dup_title",
    "unknown_el",
    "undefined_entity",
    "rss092",
    "nested_category",
    "nested_author",
    "nested_comments",
    "nested_enclosure",
    "nested_channel_category",
}


def _both(body: bytes) -> tuple[object, object, bool]:
    fast = parse_feed(body, content_type="application/rss+xml", base_url="https://e.org/feed")
    slow = parse_feed(
        body, content_type="application/rss+xml", base_url="https://e.org/feed", fast=False
    )
    encoding = _choose_encoding(body, "application/rss+xml")
    took = encoding is not None and _fast_path(body, encoding) is not None
    return fast, slow, took


@pytest.mark.parametrize("name", sorted(CASES))
# feedparser warns when an unparseable date makes _published ask for updated_parsed.
@pytest.mark.filterwarnings("ignore:To avoid breaking existing software:DeprecationWarning")
def test_fast_path_equals_feedparser(name: str) -> None:
    fast, slow, took = _both(CASES[name])
    assert fast == slow
    assert took is (name not in DECLINED)


def _fixtures() -> list[Path]:
    found = [
        path
        for path in [*sorted(DATA.glob("*/*")), *sorted(SAMPLES.glob("*"))]
        if path.suffix in {".rss", ".xml", ".atom", ".rdf"}
    ]
    assert any(path.parent.name == "bad" for path in found)
    return found


@pytest.mark.parametrize("path", _fixtures(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_fixtures_read_the_same_on_both_paths(path: Path) -> None:
    fast, slow, took = _both(path.read_bytes())
    assert fast == slow
    # Plain RSS 2.0 goes the fast way; Atom, RDF, RSS 0.91 and every broken one do not.
    assert took is (path.name in {"news_ru.rss", "cp1251.rss"})


def test_bench_feed_goes_the_fast_way() -> None:
    body = make_feed(7, 20)
    fast, slow, took = _both(body)
    assert took and fast == slow
    assert len(fast.items) == 20  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "body",
    [
        (DATA / "bad" / "billion_laughs.xml").read_bytes(),
        (DATA / "bad" / "external_entity.xml").read_bytes(),
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>&ext;</title></channel></rss>',
        b'<rss version="2.0"><channel><title>a</title><item><title>x</item></channel></rss>',
    ],
)
def test_read_rss_alone_expands_nothing_and_refuses_what_it_cannot_read(body: bytes) -> None:
    # parse_feed refuses entity declarations before either parser runs; the fast path on
    # its own still never expands an entity: it declines (None), feedparser decides.
    assert read_rss(body) is None


def test_whitespace_before_the_declaration_still_goes_the_fast_way() -> None:
    body = b"\n  " + (SAMPLES / "news_ru.rss").read_bytes()
    assert _fast_path(body, "utf-8") is None  # lxml alone calls it malformed
    assert _fast_path(_declaration_first(body), "utf-8") is not None
