"""Markdown to safe HTML: markdown-it-py for parsing, nh3 (ammonia) for sanitising.

Lessons are rendered once, at sync time; the HTML stored is already sanitised, and raw HTML
in a lesson is never trusted.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin

CALLOUTS = ("tip", "note", "warning", "example")
CALLOUT_TITLES = {"tip": "提示", "note": "说明", "warning": "注意", "example": "示例"}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
    "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"},
}
ALLOWED_CLASSES = {
    "div": {"callout", *(f"callout-{kind}" for kind in CALLOUTS), "callout-title"},
    "span": set(), "code": set(),
}


@dataclass
class Rendered:
    html: str
    toc: list[tuple[int, str, str]] = field(default_factory=list)  # (level, id, text)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, target) relative links
    images: list[tuple[int, str]] = field(default_factory=list)
    plain: str = ""


def _slugify(text: str) -> str:
    # Chinese headings: keep CJK characters, letters and digits; ids stay readable in the URL.
    slug = re.sub(r"[^\w\u4e00-\u9fff]+", "-", text.strip().lower()).strip("-")
    return slug or "section"


def _callout(kind: str):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == 1:
            title = token.info.strip()[len(kind):].strip() or CALLOUT_TITLES[kind]
            escaped = escapeHtml(title)
            return f'<div class="callout callout-{kind}"><div class="callout-title">{escaped}</div>\n'
        return "</div>\n"

    return render


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=_slugify, permalink=False)
    for kind in CALLOUTS:
        md.use(container_plugin, name=kind, render=_callout(kind))
    return md


_MD = _parser()


def render_markdown(source: str, resolve: Callable[[str, str], str | None] | None = None) -> Rendered:
    """Render a lesson. resolve(kind, target) maps a relative link or image to a URL."""
    tokens = _MD.parse(source)
    result = Rendered(html="")
    plain = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            text = tokens[index + 1].content
            result.toc.append((int(token.tag[1]), token.attrs.get("id", ""), text))
        if token.type == "inline":  # its text without the markup (**, `, links), for search
            plain.append("".join(c.content if c.type in ("text", "code_inline") else "\n" if c.type.endswith("break")
                                 else "" for c in token.children or []))
            line = (token.map[0] + 1) if token.map else 0
            for child in token.children or []:
                _rewrite(child, line, result, resolve)
    result.html = sanitize(_MD.renderer.render(tokens, _MD.options, {}))
    result.plain = "\n".join(plain)
    return result


def _is_relative(target: str) -> bool:
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) and not target.startswith(("/", "#"))


def _rewrite(child, line: int, result: Rendered, resolve) -> None:
    attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
    if attr is None:
        return
    target = str(child.attrs.get(attr, ""))
    if not _is_relative(target):
        return
    path = posixpath.normpath(target.split("#")[0]) if target.split("#")[0] else ""
    (result.links if attr == "href" else result.images).append((line, target))
    if resolve and path:
        url = resolve("link" if attr == "href" else "image", path)
        if url is not None:
            anchor = "#" + target.split("#", 1)[1] if "#" in target else ""
            child.attrs[attr] = url + anchor


def sanitize(html: str) -> str:
    """Only the tags a lesson needs; only http(s) and mailto links; no scripts, no handlers."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        allowed_classes=ALLOWED_CLASSES,
        link_rel="noopener noreferrer",
    )
