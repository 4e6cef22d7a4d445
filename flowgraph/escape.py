"""Escaping data text for every output format: one place for each rule.

Names, descriptions and URLs come from files anyone can write. Each writer passes data text
through the function for its format (``docs/security.md`` lists which writer uses which):

- :func:`terminal`: control characters (ESC, BEL, CR, backspace, C1 controls) and
  bidirectional overrides become visible escapes (``\\x1b``, ``\\u202e``), so printed data can
  neither move the cursor, set the window title nor reverse a line.
- :func:`markdown`: HTML and Markdown syntax characters are escaped and line breaks become
  spaces, so a cell cannot open a tag, a link or another table cell;
  :func:`markdown_link` makes a link only of an http(s) URL.
- :func:`spreadsheet`: a text cell that a spreadsheet would run as a formula (first character
  ``=``, ``+``, ``-``, ``@``, tab or CR, as OWASP describes) gets a leading apostrophe;
  :func:`unspreadsheet` takes it off again when flowgraph reads the file back, so CSV files
  round-trip exactly. :func:`csv_text` writes CSV with exact floats and every field holding
  a separator, a quote, a CR or an LF quoted.
- :func:`matplotlib` escapes ``$`` so that chart labels are drawn as plain text, never as
  mathtext.
- HTML uses :func:`html.escape` and ``flowgraph.html.safe_url``/``script_json``.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["csv_text", "markdown", "markdown_link", "matplotlib", "spreadsheet",
           "terminal", "unspreadsheet"]

_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_]))")  # '_' inside a word is inert
_FORMULA = re.compile("^'*[=+\\-@\t\r]")
_UNFORMULA = re.compile("^'+[=+\\-@\t\r]")


def _visible(m: re.Match[str]) -> str:
    c = m.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def terminal(text: Any, *, newlines: bool = False) -> str:
    """Text safe to print on a terminal: control characters shown as escapes.

    Parameters
    ----------
    text : Any
        Converted with ``str``.
    newlines : bool
        Keep line feeds and tabs (for multi-line messages); otherwise they are escaped too.

    Examples
    --------
    >>> terminal("Evil\\x1b]0;owned\\x07Co")
    'Evil\\\\x1b]0;owned\\\\x07Co'
    >>> terminal("a\\nb")
    'a\\\\x0ab'
    """
    s = str(text)
    if newlines:
        return _TERMINAL.sub(_visible, s)
    return _TERMINAL.sub(_visible, s).replace("\n", "\\x0a").replace("\t", "\\x09")


def markdown(text: Any) -> str:
    """Text safe inside a Markdown paragraph or table cell: no HTML, links or emphasis.

    Examples
    --------
    >>> print(markdown("<img src=x onerror=alert(1)> [a](javascript:x) | *b*"))
    &lt;img src=x onerror=alert(1)> \\[a\\](javascript:x) \\| \\*b\\*
    """
    s = str(text).replace("&", "&amp;").replace("<", "&lt;")  # no tag can open
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = re.sub(r"[\r\n]+", " ", s)
    return terminal(s, newlines=True)


def markdown_link(text: Any, url: Any) -> str:
    """A Markdown link when ``url`` is an absolute http(s) URL, else the escaped text alone.

    Examples
    --------
    >>> markdown_link("src", "https://example.org/a")
    '[src](<https://example.org/a>)'
    >>> markdown_link("src", "javascript:alert(1)")
    'src'
    """
    from .html import safe_url

    good = safe_url(url)
    label = markdown(text)
    return f"[{label}](<{good}>)" if good else label


def spreadsheet(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text a spreadsheet would run as a formula gets a
    leading apostrophe (numbers are left alone).

    Examples
    --------
    >>> spreadsheet("=HYPERLINK(\\"http://x\\")"), spreadsheet("-5"), spreadsheet(-5.0)
    ('\\'=HYPERLINK("http://x")', "'-5", -5.0)
    """
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def unspreadsheet(value: Any) -> Any:
    """The inverse of :func:`spreadsheet`, applied when flowgraph reads a CSV file.

    Examples
    --------
    >>> unspreadsheet("'=A1"), unspreadsheet("'quoted")
    ('=A1', "'quoted")
    """
    if isinstance(value, str) and _UNFORMULA.match(value):
        return value[1:]
    return value


def matplotlib(text: Any) -> str:
    """Text matplotlib draws as written (``$`` would start mathtext).

    Examples
    --------
    >>> matplotlib("A $x^2$ Co")
    'A \\\\$x^2\\\\$ Co'
    """
    return str(text).replace("$", r"\$")


def _csv_field(v: Any, safe: bool) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        text = "True" if v else "False"
    elif isinstance(v, float):
        if math.isnan(v):
            return ""
        text = repr(v)  # the shortest text that reads back as the same float
        if text.endswith(".0"):
            text = text[:-2]
    elif isinstance(v, int):
        text = str(v)
    else:
        try:
            import numpy as np

            if isinstance(v, np.generic):
                return _csv_field(v.item(), safe)
        except ImportError:  # pragma: no cover
            pass
        try:
            import pandas as pd

            if v is pd.NA or v is pd.NaT:
                return ""
        except ImportError:  # pragma: no cover
            pass
        if hasattr(v, "isoformat") and not isinstance(v, str):
            text = v.isoformat()
        else:
            text = str(v)
        if safe:
            text = spreadsheet(text)
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(df: Any, *, spreadsheet_safe: bool = True) -> str:
    """A DataFrame as CSV text: exact floats, blanks for missing values, fields holding a
    comma, quote, CR or LF quoted, and (unless ``spreadsheet_safe=False``) text that a
    spreadsheet would run as a formula neutralised with a leading apostrophe.

    Examples
    --------
    >>> import pandas as pd
    >>> csv_text(pd.DataFrame({"name": ["=1+1", "a\\rb"], "x": [0.1 + 0.2, None]}))
    'name,x\\n\\'=1+1,0.30000000000000004\\n"a\\rb",\\n'
    """
    lines = [",".join(_csv_field(str(c), spreadsheet_safe) for c in df.columns)]
    cols: Iterable[Any] = [df[c].tolist() for c in df.columns]
    for rec in zip(*cols):
        lines.append(",".join(_csv_field(v, spreadsheet_safe) for v in rec))
    return "\n".join(lines) + "\n"
