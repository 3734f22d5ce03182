"""OPML, the file feed readers exchange subscription lists in: read safely, written plainly.

Reading goes through defusedxml, which refuses DTDs, entity declarations and external
references outright, so an OPML file from anywhere cannot expand a bomb, read a local file
or make a request. Writing uses the standard library's ElementTree (it escapes text).
"""

from __future__ import annotations

# Only for building and writing; parsing goes through defusedxml below.
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.models import Source, SourceKind

MAX_OPML_BYTES = 2_000_000
MAX_OUTLINES = 10_000


class OpmlError(ValueError):
    """The file is not OPML Outpost can read; the message says why."""


@dataclass(frozen=True, slots=True)
class OpmlEntry:
    """One subscription in an OPML file."""

    url: str
    title: str | None


def _attribute(node: ET.Element, name: str) -> str | None:
    # Real files spell xmlUrl as xmlurl or XMLURL too.
    lowered = name.lower()
    for key, value in node.attrib.items():
        if key.lower() == lowered and value.strip():
            return value.strip()
    return None


def parse_opml(data: bytes) -> list[OpmlEntry]:
    """Return the feed subscriptions in an OPML document, in file order, without repeats."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"OPML file larger than {MAX_OPML_BYTES} bytes")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OpmlError(f"refused: the file uses {type(exc).__name__}") from None
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>")
    entries: dict[str, OpmlEntry] = {}
    for count, node in enumerate(root.iter("outline"), start=1):
        if count > MAX_OUTLINES:
            raise OpmlError(f"more than {MAX_OUTLINES} outlines")
        url = _attribute(node, "xmlUrl")
        if url is None or url in entries:
            continue
        title = _attribute(node, "title") or _attribute(node, "text")
        entries[url] = OpmlEntry(url=url, title=title)
    return list(entries.values())


def write_opml(sources: Iterable[Source], *, now: datetime) -> bytes:
    """Return an OPML 2.0 document listing the sources (channels by their t.me/s URL)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "Outpost sources"
    ET.SubElement(head, "dateCreated").text = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for source in sources:
        outline = ET.SubElement(
            body,
            "outline",
            type="rss",
            text=source.name,
            title=source.name,
            xmlUrl=source.url,
        )
        if source.kind is SourceKind.TELEGRAM:
            outline.set("category", "telegram")
        if not source.active:
            outline.set("isPaused", "true")
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
