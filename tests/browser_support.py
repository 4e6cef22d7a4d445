"""Helpers shared by the HTML, report and browser tests: offline checks and page data."""
from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """Debian's chromium (or FLOWGRAPH_CHROMIUM), None when there is none."""
    for cand in (os.environ.get("FLOWGRAPH_CHROMIUM"), "/usr/bin/chromium",
                 shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and os.path.exists(cand):
            return cand
    return None


def unavailable(reason: str) -> None:
    """Skip a browser test on a developer machine without a browser; fail it in CI."""
    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def launched_chromium():
    """Yield a headless Chromium (playwright) and close it after: the body of every browser
    fixture. Missing playwright or chromium: :func:`unavailable`."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        unavailable("the playwright package is not installed")
    exe = chromium_path()
    if exe is None:  # pragma: no cover - depends on the machine
        unavailable("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class RefParser(HTMLParser):
    """Collect tags, URL-bearing attributes, ids and in-page links of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "id":
                self.ids.add(value or "")
            if name in ("src", "href", "srcset", "data", "action", "poster", "background"):
                self.refs.append((tag, name, value or ""))


def parse(page: str) -> RefParser:
    p = RefParser()
    p.feed(page)
    return p


def page_data(page: str) -> dict:
    """The JSON data block embedded in a page written by flowgraph.to_html."""
    m = re.search(r'<script type="application/json" id="fg-data">(.*?)</script>', page, re.S)
    assert m, "no embedded data block"
    return json.loads(m.group(1))


def assert_offline(page: str) -> None:
    """No script, style, font, image or frame is loaded from the network."""
    p = parse(page)
    for tag, name, value in p.refs:
        if tag in ("script", "link", "img", "iframe", "source", "video", "audio", "object",
                   "embed", "style", "input", "frame"):
            v = value.strip().lower()
            assert not v.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
    low = page.lower()
    # inline data: URIs (vis-network's icons) are base64 and may spell anything
    low = re.sub(r"data:image/[a-z+]+;base64,[a-z0-9+/=]+", "data:", low)
    assert "cdn" not in low
    assert "@import" not in low
    assert not re.search(r"url\(\s*['\"]?\s*(https?:|//)", low)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*['\"]?(https?:|//)",
                         low)
