"""Lesson Markdown never reaches the page with script or javascript: in it."""

from html.parser import HTMLParser

import pytest

from lms.catalog.render import render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](java\tscript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<img src=x onerror=alert(1)>",
    "![x](javascript:alert(1))",
    "<iframe src=\"https://evil.example\"></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class Elements(HTMLParser):
    """The real elements and attributes of a page (escaped text is not an element)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("source", ATTACKS)
def test_scripts_and_javascript_links_never_reach_the_page(source):
    html = render_markdown(f"## 标题\n\n{source}\n\n::: warning\n{source}\n:::\n").html
    for tag, attrs in Elements(html).found:
        assert tag not in ("script", "iframe", "object", "embed", "style"), html
        assert not any(name.startswith("on") for name in attrs), html
        for name in ("href", "src"):
            value = (attrs.get(name) or "").replace("\t", "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), html


def test_raw_html_is_shown_as_text_not_run():
    html = render_markdown("<script>alert(1)</script>").html
    assert "&lt;script&gt;" in html and not Elements(html).found[1:]


def test_tables_callouts_and_headings_render():
    r = render_markdown("## 一、概述\n\n::: tip 记住\n要点\n:::\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<div class="callout callout-tip"><div class="callout-title">记住</div>' in r.html
    assert "<table>" in r.html and '<h2 id="一-概述">' in r.html
    assert r.toc == [(2, "一-概述", "一、概述")]


def test_search_text_is_the_words_without_their_markup():
    rendered = render_markdown("## 资源\n\n**资源安排**要写进计划，见 [第 2 课](02-b.md) 和 `GB/T 19001`。\n第二行")
    assert rendered.plain == "资源\n资源安排要写进计划，见 第 2 课 和 GB/T 19001。\n第二行"
