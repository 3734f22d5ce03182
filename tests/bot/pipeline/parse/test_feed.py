"""RSS/Atom parsing: the sample feeds, the bad fixtures, and more hostile documents."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import ErrorKind, ParseResult, SourceKind
from bot.pipeline.parse import parse_document, parse_feed
from bot.pipeline.parse.feed import _without_inert
from tests.helpers.paths import DATA, SAMPLES


def _noise(size: int) -> bytes:
    """Return size bytes of deterministic binary garbage."""
    blocks = (hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


def _fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _rss(items: str, *, head: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{head}<rss version="2.0"><channel><title>Feed</title>{items}</channel></rss>'
    ).encode()


def test_news_ru_all_items_and_fields() -> None:
    result = parse_feed(
        (SAMPLES / "news_ru.rss").read_bytes(),
        content_type="application/rss+xml",
        base_url="https://news.example.org/rss",
    )
    assert result.ok
    assert result.detail == ""
    assert result.title == "Новости Полесья (пример)"
    assert len(result.items) == 6
    first = result.items[0]
    assert first.key == "guid:news-ex-10401"
    assert first.title == "В Ельске отменили занятия в музыкальной школе из-за совместных учений"
    assert first.text == (
        "Местным жителям также запретили снимать колонну бронетехники, которая должна "
        "прибыть в среду. До границы с Украиной — 17 км."
    )
    assert first.link == (
        "https://news.example.org/2022/10/11/yelsk-drills?utm_source=rss&utm_medium=feed"
    )
    assert first.canonical_link == "https://news.example.org/2022/10/11/yelsk-drills"
    assert first.published == datetime(2022, 10, 11, 6, 40, tzinfo=UTC)
    assert all(item.published is not None and item.published.tzinfo for item in result.items)
    assert len({item.key for item in result.items}) == 6


def test_news_ru_hostile_title_is_literal_text() -> None:
    hostile = parse_feed((SAMPLES / "news_ru.rss").read_bytes()).items[4]
    assert hostile.title == "Заголовок с <script>alert(1)</script> и & знаками <b>"
    assert "&lt;" not in hostile.title
    assert hostile.text == "Военкоматы рассылают повестки резервистам подробнее"
    assert "javascript" not in hostile.text
    assert "onerror" not in hostile.text


def test_news_ru_republished_item_has_same_canonical_link() -> None:
    items = parse_feed((SAMPLES / "news_ru.rss").read_bytes()).items
    original, republished = items[1], items[5]
    assert republished.link == "https://news.example.org/2022/10/11/t72-echelon?ref=mainpage"
    assert republished.canonical_link == original.canonical_link
    assert original.canonical_link == "https://news.example.org/2022/10/11/t72-echelon"


def test_atom_with_html_content() -> None:
    result = parse_feed(
        (SAMPLES / "analysis_en.atom").read_bytes(), content_type="application/atom+xml"
    )
    assert result.ok
    assert result.title == "Posture Notes (sample)"
    assert [item.key for item in result.items] == [
        f"guid:tag:analysis.example.org,2022:post-{n}" for n in (77, 78, 79, 80)
    ]
    html_entry = result.items[1]
    assert html_entry.text == (
        "Videos show T-72A tanks, ammunition and Ural trucks leaving Belarusian storage "
        "bases by rail for Russia."
    )
    assert "<p>" not in html_entry.text
    # No <published>: the <updated> date stands in.
    assert html_entry.published == datetime(2022, 10, 12, 8, 10, tzinfo=UTC)
    assert result.items[0].link == "https://analysis.example.org/2022/10/exercise-tempo"


def test_cp1251_declared_in_xml() -> None:
    result = parse_feed(_fixture("bad/cp1251.rss"), content_type="application/rss+xml")
    assert result.ok
    assert result.title == "Лента в cp1251"
    assert result.items[0].title.startswith("Учения у Бреста")
    assert result.items[0].key == "guid:cp-1"


def test_cp1251_declared_in_xml_wins_over_wrong_text_xml_header() -> None:
    # Served as text/xml without a charset: RFC 3023 would say us-ascii; the body knows better.
    result = parse_feed(_fixture("bad/cp1251.rss"), content_type="text/xml")
    assert result.items[0].title.startswith("Учения у Бреста")


def test_cp1251_undeclared_with_http_charset() -> None:
    body = _fixture("bad/cp1251.rss").replace(b' encoding="windows-1251"', b"")
    result = parse_feed(body, content_type="application/rss+xml; charset=windows-1251")
    assert result.ok
    assert result.items[0].title.startswith("Учения у Бреста")


def test_cp1251_undeclared_without_charset_is_detected() -> None:
    body = _fixture("bad/cp1251.rss").replace(b' encoding="windows-1251"', b"")
    result = parse_feed(body, content_type="application/rss+xml")
    assert result.ok
    assert result.title == "Лента в cp1251"
    assert result.items[0].title.startswith("Учения у Бреста")


def test_latin1_feed_without_any_declaration_is_read() -> None:
    # What a French or German feed on an old server sends: Latin-1 bytes, no encoding in
    # the XML declaration, no charset in the Content-Type.
    text = (
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Défense & Sécurité</title>'
            "<item><title>L'armée déploie des blindés près de la frontière biélorusse</title>"
            "<guid>l1</guid><description>Les manœuvres inquiètent les élus à Vilnius.</description>"
            "</item><item><title>Übung in Litauen: Brigade verlegt Panzer nach Rūdninkai</title>"
            "<guid>l2</guid><description>Die Übungen dauern zwei Wochen.</description></item>"
            "</channel></rss>"
        )
        .replace("&", "&amp;")
        .replace("œ", "oe")
        .replace("ū", "u")
    )
    body = text.encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    for content_type in ("application/rss+xml", "text/xml", None):
        result = parse_feed(body, content_type=content_type)
        assert result.ok, result.detail
        assert result.title == "Défense & Sécurité"
        assert [item.title for item in result.items] == [
            "L'armée déploie des blindés près de la frontière biélorusse",
            "Übung in Litauen: Brigade verlegt Panzer nach Rudninkai",
        ]
        assert result.items[0].text == "Les manoeuvres inquiètent les élus à Vilnius."


def test_a_wrong_label_is_still_refused_not_guessed() -> None:
    # Detection is for a feed that says nothing; one that names a charset that cannot read
    # it is broken, and its source shows so.
    body = _fixture("bad/wrong_declared_encoding.rss")
    assert parse_feed(body, content_type="application/rss+xml").error is ErrorKind.ENCODING


def test_cp1251_mislabelled_as_latin1_is_encoding_error() -> None:
    body = _fixture("bad/cp1251.rss").replace(b"windows-1251", b"iso-8859-1")
    result = parse_feed(body)
    assert result.error is ErrorKind.ENCODING
    assert "mojibake" in result.detail


def test_utf8_body_mislabelled_as_cp1251_is_read_as_utf8() -> None:
    body = _rss(
        "<item><title>Учения у Бреста</title><guid>u1</guid></item>",
        head='<?xml version="1.0" encoding="windows-1251"?>',
    )
    result = parse_feed(body, content_type="text/html; charset=windows-1251")
    assert result.items[0].title == "Учения у Бреста"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_bom_encodings(encoding: str) -> None:
    text = '<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title>'
    text += "<item><title>Колонна у Мозыря</title><guid>b1</guid></item></channel></rss>"
    result = parse_feed(text.encode(encoding))
    assert result.ok
    assert result.items[0].title == "Колонна у Мозыря"


@pytest.mark.parametrize("name", ["bad/billion_laughs.xml", "bad/external_entity.xml"])
def test_entity_declarations_refused(name: str) -> None:
    result = parse_feed(_fixture(name))
    assert result.error is ErrorKind.XML_ENTITIES
    assert result.items == ()


def test_entity_declarations_refused_in_utf16() -> None:
    body = _fixture("bad/billion_laughs.xml").decode().encode("utf-16-le")
    assert parse_feed(body).error is ErrorKind.XML_ENTITIES


def test_parameter_entity_refused() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM '
        b'"http://127.0.0.1:9/evil.dtd"> %remote;]><rss version="2.0"><channel/></rss>'
    )
    assert parse_feed(body).error is ErrorKind.XML_ENTITIES


def test_entity_text_inside_cdata_is_fine() -> None:
    body = _rss(
        "<item><title>XML security</title><guid>c1</guid>"
        "<description><![CDATA[Never accept <!ENTITY lol> from strangers.]]></description>"
        "</item>"
    )
    result = parse_feed(body)
    assert result.ok
    assert len(result.items) == 1


# The rule _without_inert implements: every CDATA section and comment is cut, up to its
# first end marker or to the end of the document.
_INERT_RULE = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)


@pytest.mark.parametrize(
    "scan",
    [
        b"",
        b"<!",
        b"<![CDATA[",
        b"<!--",
        b"<!-->-->x",
        b"<!--->x-->y",
        b"<![CDATA[]]]]>x]]>y",
        b"a<![CDATA[<!ENTITY]]>b<!-- <!ENTITY -->c",
        b"<!<!-- -->ENTITY x>",
        b"<!<![CDATA[]]>ENTITY x>",
        b"<!DOCTYPE x [<!-- c --><!ENTITY a 'b'>]><![CDATA[ unterminated <!ENTITY",
        b"<!!--x--><![CDATA[<!--]]>-->",
    ],
)
def test_without_inert_follows_the_rule(scan: bytes) -> None:
    assert _without_inert(scan) == _INERT_RULE.sub(b"", scan)


def test_entity_declaration_joined_around_a_comment_is_refused() -> None:
    body = _rss("<item><title>t</title></item>").replace(b"<rss", b"<!<!-- -->ENTITY x><rss", 1)
    assert parse_feed(body).error is ErrorKind.XML_ENTITIES


def test_plain_title_is_one_line_whatever_breaks_it() -> None:
    body = _rss("<item><title>A\u2028B\u2029C\r\n\n\nD\t E </title><guid>t1</guid></item>")
    assert parse_feed(body).items[0].title == "A B C D E"
    assert parse_feed(body, fast=False).items[0].title == "A B C D E"


def test_truncated_keeps_recovered_items() -> None:
    result = parse_feed(_fixture("bad/truncated.rss"))
    if result.error is not None:
        assert result.error is ErrorKind.MALFORMED
    else:
        assert [item.key for item in result.items] == ["guid:news-ex-10401", "guid:news-ex-10402"]
        assert "recovered 2 items" in result.detail
        assert "malformed" in result.detail


def test_truncated_before_any_item_is_malformed() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut'
    assert parse_feed(body).error is ErrorKind.MALFORMED


def test_not_a_feed_html() -> None:
    assert parse_feed(_fixture("bad/not_a_feed.html")).error is ErrorKind.NOT_A_FEED


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html>\n<html lang='en'><head><title>Login</title></head></html>",
        b"<!-- cached --><HTML><body>Cloudflare</body></HTML>",
        b'{"items": [{"title": "json feed"}]}',
        b"/etc/passwd",
        b"http://127.0.0.1:9/feed.xml",
        b"<foo><bar>an XML document that is not a feed</bar></foo>",
        b"\x89PNG\r\n\x1a\n" + _noise(4096),
    ],
    ids=["html5", "html-comment", "json", "path", "url", "other-xml", "binary"],
)
def test_not_a_feed_others(body: bytes) -> None:
    assert parse_feed(body).error is ErrorKind.NOT_A_FEED


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf  \n"])
def test_empty(body: bytes) -> None:
    assert parse_feed(body).error is ErrorKind.EMPTY


def test_empty_fixture() -> None:
    assert parse_feed(_fixture("bad/empty.rss")).error is ErrorKind.EMPTY


def test_binary_garbage_after_xml_start_is_an_error_value() -> None:
    body = b"<rss>" + _noise(8192)
    result = parse_feed(body)
    assert result.error in {ErrorKind.ENCODING, ErrorKind.MALFORMED, ErrorKind.NOT_A_FEED}


@pytest.mark.parametrize(
    "head",
    [
        '<?xml version="1.0"?><!DOCTYPE rss>',
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
        '<?xml version="1.0"?>\n<!-- generated -->\n<?xml-stylesheet href="s.xsl"?>',
    ],
)
def test_doctype_without_entities_parses(head: str) -> None:
    result = parse_feed(_rss("<item><title>Ok</title><guid>d1</guid></item>", head=head))
    assert result.ok
    assert [item.title for item in result.items] == ["Ok"]


def test_rss_1_0_rdf() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://r.example.org/"><title>RDF</title></channel>
  <item rdf:about="https://r.example.org/1"><title>One</title><link>https://r.example.org/1</link></item>
</rdf:RDF>"""
    result = parse_feed(body)
    assert result.ok
    assert result.items[0].title == "One"


def test_feed_without_items_is_ok() -> None:
    result = parse_feed(_rss(""))
    assert result.ok
    assert result.items == ()
    assert result.title == "Feed"


def test_items_without_title_or_text_are_skipped_and_titles_derived() -> None:
    body = _rss(
        "<item><guid>e1</guid><link>https://x.example.org/1</link></item>"
        "<item><guid>e2</guid><description>Колонна вышла из Гомеля. Подробности позже."
        "</description></item>"
    )
    result = parse_feed(body)
    assert [item.key for item in result.items] == ["guid:e2"]
    assert result.items[0].title == "Колонна вышла из Гомеля."


def test_links_resolved_and_unsafe_schemes_dropped() -> None:
    body = _rss(
        "<item><title>Rel</title><link>/news/1?utm_source=x</link></item>"
        "<item><title>JS</title><link>javascript:alert(1)</link><guid>js</guid></item>"
    )
    result = parse_feed(body, base_url="https://site.example.org/feed.xml")
    rel, js = result.items
    assert rel.link == "https://site.example.org/news/1?utm_source=x"
    assert rel.key == "link:https://site.example.org/news/1"
    assert js.link is None
    assert js.canonical_link is None


def test_guid_not_resolved_against_base_url() -> None:
    body = _rss("<item><title>G</title><guid>item-17</guid></item>")
    result = parse_feed(body, base_url="https://site.example.org/feed.xml")
    assert result.items[0].key == "guid:item-17"


def test_no_guid_no_link_uses_title_and_date() -> None:
    body = _rss(
        "<item><title>Only a title</title><pubDate>Wed, 12 Oct 2022 08:00:00 GMT</pubDate></item>"
    )
    item = parse_feed(body).items[0]
    assert item.key.startswith("title:")
    assert item.published == datetime(2022, 10, 12, 8, 0, tzinfo=UTC)


def test_big_feed_of_many_items() -> None:
    pad = "Колонна техники движется к границе. " * 25
    items = "".join(
        f"<item><title>Пост {i}</title><guid>big-{i}</guid>"
        f"<description>&lt;p&gt;{pad}&lt;/p&gt;</description></item>"
        for i in range(1500)
    )
    body = _rss(items)
    assert len(body) > 2_000_000
    result = parse_feed(body)
    assert result.ok
    assert len(result.items) == 1500
    assert result.items[-1].key == "guid:big-1499"


def test_huge_title_is_bounded() -> None:
    body = _rss(f"<item><title>{'слово ' * 20_000}</title><guid>h</guid></item>")
    title = parse_feed(body).items[0].title
    assert len(title) <= 300
    assert title.endswith("…")


def test_parse_document_dispatches() -> None:
    rss = parse_document(
        (SAMPLES / "news_ru.rss").read_bytes(),
        kind=SourceKind.RSS,
        content_type="application/rss+xml",
        base_url="https://news.example.org/rss",
    )
    channel = parse_document(
        (SAMPLES / "channel_be.html").read_bytes(),
        kind=SourceKind.TELEGRAM,
        content_type="text/html; charset=utf-8",
        base_url="https://t.me/s/belwatch_demo",
    )
    assert isinstance(rss, ParseResult)
    assert len(rss.items) == 6
    assert len(channel.items) == 5
    # A channel page read as a feed is refused, not misread.
    wrong = parse_document(
        (SAMPLES / "channel_be.html").read_bytes(),
        kind=SourceKind.RSS,
        content_type="text/html",
        base_url="https://t.me/s/belwatch_demo",
    )
    assert wrong.error is ErrorKind.NOT_A_FEED


# A real feed (tests/data/feeds/real/README.md names its origin).
OSW = DATA / "feeds" / "real" / "osw_en.xml"


def test_real_osw_feed() -> None:
    result = parse_feed(OSW.read_bytes(), content_type="application/rss+xml")
    assert result.ok
    assert result.warning is None
    assert result.title == "osw.waw.pl"
    assert len(result.items) == 10
    first = result.items[0]
    assert first.title == "Ukraine: another corruption scandal within Zelensky’s inner circle"
    assert first.key == "guid:34256"
    assert first.published == datetime(2026, 8, 20, 12, 0, tzinfo=UTC)
    # A description of "&amp;nbsp;" (markup for a non-breaking space) is no text at all.
    assert result.items[2].title.startswith("A massive Ukrainian attack on Novorossiysk")
    assert result.items[2].text == ""


@pytest.mark.parametrize("lead", [b"\n", b"\r\n\r\n", b"  \t\n"])
@pytest.mark.parametrize("source", [OSW, SAMPLES / "news_ru.rss"], ids=["osw", "news_ru"])
def test_whitespace_before_the_xml_declaration_is_not_damage(lead: bytes, source: Path) -> None:
    body = source.read_bytes()
    clean = parse_feed(body, content_type="application/rss+xml")
    spaced = parse_feed(lead + body, content_type="application/rss+xml")
    assert spaced == clean
    assert spaced.warning is None
    assert spaced.detail == ""
    assert spaced.items
