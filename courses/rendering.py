"""Markdown written by course authors, rendered to HTML that is safe to show.

Authors write Markdown; any HTML in it is reduced by nh3 to a small allow-list
(headings, paragraphs, lists, links, emphasis, quotes, code, tables and images).
Links keep only http(s) and mailto addresses and open nothing with `window.opener`;
images are shown only from this site (relative addresses).
"""

from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import markdown  # type: ignore[import-untyped]
import nh3
from markdown.extensions import Extension  # type: ignore[import-untyped]
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "a",
    "em",
    "strong",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"
# nh3 writes every tag it keeps in one normal form: attributes double-quoted and escaped.
_IMG_TAG = re.compile(r"<img(?P<attributes>[^>]*)>")
_ATTRIBUTE = re.compile(r'(?P<name>[a-z]+)="(?P<value>[^"]*)"')


class _ShiftHeadings(Treeprocessor):
    """Headings in the content sit under the page's own <h1>: `#` becomes <h2>, and so on."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
                element.tag = f"h{min(int(element.tag[1]) + 1, 6)}"


class _ShiftHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ShiftHeadings(md), "courses_shift_headings", 5)


def is_same_site(url: str) -> bool:
    """A relative address (path or file name), never another host or another scheme."""
    url = url.strip()
    if not url or url.startswith(("//", "\\")):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not is_same_site(value):
        return None
    return value


def _finish_image(match: re.Match[str]) -> str:
    """An image left without an address becomes its text; every image gets an alt text."""
    attributes = {
        name: html_lib.escape(html_lib.unescape(value))
        for name, value in _ATTRIBUTE.findall(match["attributes"])
    }
    alt = attributes.get("alt", "")
    if "src" not in attributes:
        return alt
    return f'<img src="{attributes["src"]}" alt="{alt}">'


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitise_html(html: str) -> str:
    """Keep only the allowed tags and attributes (scripts and styles go with their content)."""
    # The second pass keeps the guarantee whatever the image touch-up did.
    return _clean(_IMG_TAG.sub(_finish_image, _clean(html)))


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML (a str that is safe to mark safe)."""
    if not text:
        return ""
    html = markdown.markdown(
        text,
        extensions=["tables", "fenced_code", "sane_lists", _ShiftHeadingsExtension()],
        output_format="html",
    )
    return sanitise_html(html)
