"""Course content: Markdown becomes HTML, and nothing that runs or leaves the site gets through."""

import pytest
from django.template import Context, Template

from courses.rendering import is_same_site, render_markdown


def test_markdown_becomes_headings_lists_links_and_tables():
    html = render_markdown(
        "# Innovasjon\n\nNye *løsninger* som **skaper verdi**.\n\n"
        "- brukerinnsikt\n- idé\n\n> Sitat\n\n`kode`\n\n"
        "[KS](https://www.ks.no)\n\n| Fase | Uke |\n|---|---|\n| Innsikt | 1 |\n"
    )

    assert "<h2>Innovasjon</h2>" in html  # under the page's own <h1>
    assert "<em>løsninger</em>" in html
    assert "<strong>skaper verdi</strong>" in html
    assert "<li>brukerinnsikt</li>" in html
    assert "<blockquote>" in html
    assert "<code>kode</code>" in html
    assert '<a href="https://www.ks.no" rel="noopener noreferrer">KS</a>' in html
    assert "<th>Fase</th>" in html
    assert "<td>Innsikt</td>" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>Hei",
        "Hei <script src='https://evil.example/x.js'></script>",
        "<style>body{display:none}</style>Hei",
        "<iframe src='https://evil.example'></iframe>Hei",
    ],
)
def test_scripts_styles_and_frames_are_removed(text):
    html = render_markdown(text)

    assert "<script" not in html
    assert "alert" not in html
    assert "<style" not in html
    assert "<iframe" not in html
    assert "Hei" in html


@pytest.mark.parametrize(
    "text",
    [
        '<p onclick="alert(1)">Hei</p>',
        '<a href="/x" onmouseover="alert(1)">Hei</a>',
        "<img src=/bilde.png onerror=alert(1) alt=Hei>",
        '<strong style="color:red" class="x" id="y">Hei</strong>',
    ],
)
def test_event_handlers_and_other_attributes_are_removed(text):
    html = render_markdown(text)

    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "onerror" not in html
    assert "alert" not in html
    assert "style=" not in html
    assert "class=" not in html
    assert "Hei" in html


@pytest.mark.parametrize(
    "text",
    [
        "[Klikk](javascript:alert(1))",
        "[Klikk](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">Klikk</a>',
        '<a href="  javascript:alert(1)">Klikk</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Klikk</a>',
        '<a href="vbscript:msgbox(1)">Klikk</a>',
    ],
)
def test_javascript_and_data_links_lose_their_address(text):
    html = render_markdown(text)

    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "vbscript" not in html
    assert "href" not in html
    assert "Klikk" in html


def test_images_are_shown_only_from_this_site_and_always_have_a_text_alternative():
    html = render_markdown(
        "![Brukerreisen](/static/reise.png) ![Sporing](https://tracker.example/p.gif) "
        "![Også ute](//tracker.example/p.gif) <img src=/static/uten.png> "
        '<img src="javascript:alert(1)" alt="Skript">'
    )

    assert '<img src="/static/reise.png" alt="Brukerreisen">' in html
    assert '<img src="/static/uten.png" alt="">' in html
    assert "tracker.example" not in html
    assert "javascript" not in html
    assert "Sporing" in html  # the alt text stays as text
    assert "Skript" in html


@pytest.mark.parametrize(
    ("url", "same_site"),
    [
        ("/static/a.png", True),
        ("bilder/a.png", True),
        ("https://example.com/a.png", False),
        ("//example.com/a.png", False),
        ("data:image/png;base64,xx", False),
        ("", False),
    ],
)
def test_same_site_addresses(url, same_site):
    assert is_same_site(url) is same_site


def test_the_template_filter_renders_safe_html():
    template = Template("{% load courses_markup %}{{ text|markdown }}")

    html = template.render(Context({"text": "**Hei** <script>alert(1)</script>"}))

    assert html == "<p><strong>Hei</strong> </p>"


def test_empty_content_renders_nothing():
    template = Template("{% load courses_markup %}{{ text|markdown }}")

    assert template.render(Context({"text": None})) == ""
    assert render_markdown("") == ""
