"""Validation rules against input that would otherwise give silently wrong numbers.

Used by :func:`flowgraph.io.validate_deals` and :func:`flowgraph.io.validate_companies`.
Each rule returns :class:`~flowgraph.errors.Problem` objects; what each one does:

Cells
    - A JSON object or list where one value belongs is an error (it would become the text
      ``{'name': 'A'}``).
    - A control character (NUL, ESC, ...) in any known column is an error; a line break in a
      column that holds one line (ids, names, URLs, enumerations, dates, amounts) is an error
      (most often a quote left open earlier in the row). ``description``, ``source_title`` and
      ``notes`` may hold line breaks.
    - An invisible or non-printing character (zero-width space, direction mark, soft hyphen,
      no-break space, ...) in a company name or a deal id is an error: two names that print
      alike must be the same name. Text is normalised to Unicode NFC on reading, so the same
      accented letter typed two ways is one name.
    - A ``source_url`` with a space or other whitespace inside is an error.
Amounts
    - Only finite numbers from 0 to :data:`MAX_AMOUNT` billion USD, and none between 0 and
      :data:`MIN_AMOUNT` (less than one dollar), are amounts; ``true``/``false``, ``inf``,
      ``NaN`` written out and numbers beyond the range are errors. An amount or company
      figure above :data:`UNIT_CHECK` billion USD (a market value above
      :data:`UNIT_CHECK_MARKET_VALUE`) is a warning: is it in millions?
Names
    - Two company names that differ only by letter case, width (full-width letters), accents
      written apart, or look-alike letters from another script (Cyrillic ``а`` for Latin
      ``a``) are a warning naming both spellings: they are separate companies, and any loop
      through them is split.
Supersessions and tranches (``supersedes``, ``part_of``)
    - A tranche (``part_of``) must name a headline row of the same payer and payee, tranches
      may not form a loop, and the known tranches of one headline may add up to no more than
      the headline's high end (``amount_high_usd_bn``, else ``amount_usd_bn``).
    - A row may not both supersede a row and be a tranche of it.
    - A row may not supersede a flow in the other direction (payee to payer); superseding a
      flow between other companies is a warning.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem

MAX_AMOUNT = 1e6
"""Largest amount accepted, in billions of USD (a million billion dollars)."""
MIN_AMOUNT = 1e-9
"""Smallest positive amount accepted, in billions of USD (one dollar)."""
UNIT_CHECK = 2_000.0
"""A deal amount or company figure above this many billions of USD ($2 trillion) gets a
warning asking whether it was entered in millions: a figure a thousand times too large
changes every ratio and share without an error."""
UNIT_CHECK_MARKET_VALUE = 20_000.0
"""The same for a market value ($20 trillion)."""
MULTILINE_COLUMNS = frozenset({"description", "source_title", "notes"})
"""Known columns whose text may hold line breaks."""
NAME_COLUMNS = frozenset({"deal_id", "payer", "payee", "name", "part_of", "supersedes"})
"""Columns holding names and ids, where invisible characters are refused."""
MAX_PROBLEMS = 1000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINEBREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\ufff0-\ufffb\U000e0000-\U000e0fff]")
_SPACE = re.compile(r"\s")

# Latin look-alikes from Cyrillic and Greek (the letters that print the same in most fonts)
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "ѕ": "s", "т": "t", "у": "y", "х": "x",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c",
})


def short(value: Any, limit: int = 80) -> str:
    """``value`` as text cut to ``limit`` characters for a message (an ellipsis says so)."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_factors(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(codes, uniques)`` of a column whose cells are all text or blank (codes -1 for a
    blank, uniques an object array of str in order of first use), or None when some cell is
    not text (values of other types that compare equal, like ``1`` and ``True``, would share
    a code). Rules that depend only on a cell's value are computed once per unique value."""
    if isinstance(series.dtype, pd.StringDtype):
        if not series.count():  # all blank (a column written but never filled)
            return blank_codes(len(series)), np.array([], dtype=object)
    else:
        kind = (pd.api.types.infer_dtype(series, skipna=True) if series.dtype == object
                else None)
        if kind == "empty":  # all blank (a Parquet file's column of nulls)
            return blank_codes(len(series)), np.array([], dtype=object)
        if kind != "string":
            return None
    arr = getattr(series.array, "_pa_array", None)
    if arr is not None and len(arr) >= VECTOR_MIN:
        found = _distinct_factors(arr)
        if found is not None:
            return found
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)


def _distinct_factors(arr: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`text_factors` of a pyarrow text column whose cells are all different (a
    column of ids), found by sorting, which is quicker than hashing a million distinct
    strings; None when some value repeats (its first :data:`VECTOR_MIN` cells already tell
    for most columns that are not ids) and the caller hashes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    head = arr.slice(0, VECTOR_MIN)
    if pc.count_distinct(head).as_py() < len(head) - head.null_count:
        return None
    valid = arr.drop_null() if arr.null_count else arr
    ordered = pc.take(valid, pc.sort_indices(valid))
    if isinstance(ordered, pa.ChunkedArray):
        ordered = ordered.combine_chunks()
    n = len(ordered)
    if n > 1 and pc.any(pc.equal(ordered.slice(1), ordered.slice(0, n - 1))).as_py():
        return None
    uniques = np.asarray(valid.to_numpy(zero_copy_only=False), dtype=object)
    if not arr.null_count:
        return np.arange(len(arr), dtype=np.intp), uniques
    codes = np.full(len(arr), -1, dtype=np.intp)
    codes[~arr.is_null().to_numpy(zero_copy_only=False)] = np.arange(n, dtype=np.intp)
    return codes, uniques


def is_true(values: pd.Series) -> np.ndarray:
    """Which cells are the boolean True (not a true-looking word), as a new array: read
    straight from a column of bools (a normalized table's flags), cell by cell otherwise."""
    if values.dtype == bool:
        return values.to_numpy(dtype=bool, copy=True)
    return np.fromiter((u is True or u is np.True_ for u in values.to_numpy(dtype=object)),
                       bool, len(values))


_BLANK: dict[int, np.ndarray] = {}


def blank_codes(n: int) -> np.ndarray:
    """The codes of ``n`` blank cells (all -1): one shared read-only array per length, so
    that the many never-filled columns of a large table cost no memory of their own."""
    codes = _BLANK.get(n)
    if codes is None:
        codes = np.full(n, -1, dtype=np.intp)
        codes.flags.writeable = False
        _BLANK.clear()  # one length at a time: the table being read
        _BLANK[n] = codes
    return codes


PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
                 "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""Every character ``str.strip()`` removes (``str.isspace``); a test checks the list."""
VECTOR_MIN = 4096
"""Value lists at least this long are checked with pyarrow's kernels (look-alike keys of
names, already-clean text)."""
_ASCII_SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE if c.isascii()) + "]"
"""A regular expression (RE2, for pyarrow's kernels) for one ASCII white-space character."""


def clean_ascii(series: pd.Series) -> bool:
    """Whether every cell of a pyarrow-backed text column is ASCII, non-empty and without
    leading or trailing white space (so stripping and NFC change nothing), checked with
    pyarrow's kernels; False when the column is not pyarrow-backed or some cell needs a look.

    Examples
    --------
    >>> import pandas as pd
    >>> clean_ascii(pd.Series(["a", None, "b c"], dtype="string[pyarrow]"))
    True
    >>> clean_ascii(pd.Series(["a ", "b"], dtype="string[pyarrow]"))
    False
    """
    arr = getattr(series.array, "_pa_array", None)
    if arr is None:
        return False
    import pyarrow.compute as pc

    edge = f"^{_ASCII_SPACE}|{_ASCII_SPACE}$|^$"
    return (pc.all(pc.string_is_ascii(arr)).as_py() is not False
            and pc.any(pc.match_substring_regex(arr, edge)).as_py() is not True)


def take_or(per_unique: Any, codes: np.ndarray, fill: Any, dtype: Any = None) -> np.ndarray:
    """``per_unique[code]`` for each row and ``fill`` where the code is -1 (a blank), in one
    take: ``fill`` goes after the values, where numpy's index -1 finds it. The one way the
    readers spread per-value results to the rows.

    Examples
    --------
    >>> take_or(np.array([10, 20]), np.array([1, -1, 0]), 0).tolist()
    [20, 0, 10]
    """
    per_unique = np.asarray(per_unique)
    ext = np.empty(len(per_unique) + 1, dtype=per_unique.dtype if dtype is None else dtype)
    ext[:-1] = per_unique
    ext[-1] = fill
    return ext[codes]


class Cells:
    """A column as codes into its unique values (-1 for a blank): masks and lookups are
    computed per unique value and spread to the rows with one numpy take."""

    __slots__ = ("_values", "codes", "raw", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray, raw: Any = None) -> None:
        self.codes = codes
        self.uniques = uniques
        self.raw = raw  # the text_factors of the raw cells these were cleaned from, if any
        self._values: np.ndarray | None = None

    @classmethod
    def of(cls, values: np.ndarray) -> Cells:
        """From an object array of str or None."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object))

    def spread(self, per_unique: np.ndarray, fill: Any = False) -> np.ndarray:
        """``per_unique[code]`` for each row, ``fill`` for a blank."""
        per_unique = np.asarray(per_unique)
        dtype = object if fill is None else per_unique.dtype
        if not len(per_unique):
            if fill is not None and not fill and np.dtype(dtype).kind != "O":
                return np.zeros(len(self.codes), dtype=dtype)  # untouched pages cost nothing
            return np.full(len(self.codes), fill, dtype=dtype)
        return take_or(per_unique, self.codes, fill, dtype)

    def where(self, test: Any) -> np.ndarray:
        """The row mask of the cells whose value passes ``test`` (called once per value)."""
        return self.spread(np.fromiter((bool(test(u)) for u in self.uniques), bool,
                                       len(self.uniques)), False)

    def isin(self, allowed: Any) -> np.ndarray:
        return self.spread(np.isin(self.uniques, list(allowed)), False)

    def isna(self) -> np.ndarray:
        return self.codes < 0

    @property
    def values(self) -> np.ndarray:
        """Object array of the cells (None for a blank)."""
        if self._values is None:
            if len(self.codes) and len(self.uniques) and self.codes.min() >= 0:
                self._values = self.uniques[self.codes]  # no blank: one take, a new array
                return self._values
            self._values = take_or(self.uniques, self.codes, None, object)
        return self._values


_REMEMBERED: dict[tuple[int, int], tuple[Any, np.ndarray, np.ndarray]] = {}
_REMEMBER_MAX = 64


def _address(values: np.ndarray) -> tuple[int, int] | None:
    """Where a one-dimensional object array's cells are, or None when not contiguous."""
    if values.dtype != object or values.ndim != 1 or values.strides != (values.itemsize,):
        return None
    return values.__array_interface__["data"][0], values.shape[0]


def remember(cells: Cells) -> None:
    """Keep the codes of a large cleaned text column (the reader's), so that a later step
    reading the same column (the cycle search's vertex ids) needs not hash its text again.

    Only :func:`recall` reads them, and it checks every cell first. An entry is dropped when
    its column is freed; at most :data:`_REMEMBER_MAX` are kept."""
    import weakref

    values = cells.values
    key = _address(values)
    if key is None or key[1] < VECTOR_MIN:
        return

    def forget(ref: Any, key: tuple[int, int] = key) -> None:
        if _REMEMBERED.get(key, (None,))[0] is ref:
            del _REMEMBERED[key]

    while len(_REMEMBERED) >= _REMEMBER_MAX:
        del _REMEMBERED[next(iter(_REMEMBERED))]
    _REMEMBERED[key] = (weakref.ref(values, forget), cells.codes, cells.uniques)


def recall(series: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(codes, uniques)`` of a column :func:`remember` kept (codes -1 for a blank, uniques
    distinct: str for text, dates for the deal graph's day bounds), or None.

    The answer is checked, not trusted: every cell must still be the very object its code
    names (a column changed in place since it was read, or another array at the same
    address, gets None, and the caller hashes the cells itself)."""
    if series.dtype != object or len(series) < VECTOR_MIN:
        return None
    arr = series if isinstance(series, np.ndarray) else series.to_numpy(dtype=object)
    key = _address(arr)
    entry = _REMEMBERED.get(key) if key is not None else None
    if entry is None or entry[0]() is None:
        return None
    _, codes, uniques = entry
    if _address(uniques) is None:
        return None
    # every cell must be the very object its code names (None for a blank): compared as
    # object addresses, read from the arrays' memory while both are held here
    named = take_or(_pointers(uniques), codes, id(None))
    if not np.array_equal(_pointers(arr), named):
        return None
    return codes, uniques


def _pointers(values: np.ndarray) -> np.ndarray:
    """The object addresses a contiguous object array holds, as integers: a view of its
    memory, valid while the caller holds ``values``."""
    import ctypes

    n = values.shape[0]
    if not n:
        return np.zeros(0, dtype=np.intp)
    buf = (ctypes.c_ssize_t * n).from_address(values.__array_interface__["data"][0])
    return np.ctypeslib.as_array(buf)


def numeric(series: pd.Series, factors: Any = None) -> pd.Series:
    """``pd.to_numeric(errors="coerce")`` as floats, also for integers too large for a float
    (they become infinite, which the amount rules refuse) and very long digit strings.
    ``factors``: the column's :func:`text_factors`, when the caller has them."""
    factors = factors if factors is not None else text_factors(series)
    if factors is not None:  # text: each distinct cell parsed once
        codes, uniques = factors
        per = _floats(pd.Series(uniques, dtype=object)).to_numpy()
        return pd.Series(take_or(per, codes, np.nan, float), index=series.index, dtype=float)
    return _floats(series)


def _floats(series: pd.Series) -> pd.Series:
    try:
        return pd.to_numeric(series, errors="coerce").astype(float)
    except (OverflowError, ValueError):
        def one(v: Any) -> float:
            if isinstance(v, bool) or v is None:
                return math.nan
            if isinstance(v, int):
                return (math.inf if v > 0 else -math.inf) if abs(v) > 1e308 else float(v)
            try:
                return float(v)
            except (TypeError, ValueError, OverflowError):
                return math.nan
        return pd.Series([one(v) for v in series.to_numpy(dtype=object)], index=series.index,
                         dtype=float)


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"


def _needs_look(col: str, joined: str, count: int) -> bool:
    """Whether any of ``count`` cells joined by ',' may break a cell rule (a quick test)."""
    if joined.isascii() and joined.isprintable():
        # printable ASCII holds no control, line-break or invisible character: the patterns
        # below match only \x00-\x1f and \x7f in ASCII (and white space only the space)
        return ((col == "deal_id" and (";" in joined or joined.count(",") > count - 1))
                or (col == "source_url" and " " in joined))
    probe = _CONTROL if col in MULTILINE_COLUMNS else _LINEBREAK
    return bool(probe.search(joined) or _CONTROL.search(joined)
                or (col == "deal_id" and (";" in joined or joined.count(",") > count - 1))
                or (col in NAME_COLUMNS and (_INVISIBLE.search(joined) or not joined.isascii()))
                or (col == "source_url" and _SPACE.search(joined)))


def cell_problems(df: pd.DataFrame, *, source: str, columns: Iterable[str],
                  factors: Any = None) -> list[Problem]:
    """Structural problems of the raw cells of the known ``columns`` (see the module).

    ``factors(col)``, when given, returns :func:`text_factors` of a column (cached by the
    caller); a text column is judged once per unique value."""
    problems: list[Problem] = []
    known = set(columns)
    for col in df.columns:
        if df[col].dtype.kind in "biufcmM":  # numbers hold no text
            continue
        if col not in known:  # kept as it is, but it must be one value a file can hold
            problems += _nested_cells(df[col], col, source)
            continue
        fac = factors(col) if factors is not None else text_factors(df[col])
        if fac is not None:
            codes, uniques = fac
            if not len(uniques) or not _needs_look(col, ",".join(uniques), len(uniques)):
                continue
            msgs = [_cell_message(col, u) for u in uniques]
            bad = np.array([m is not None for m in msgs], dtype=bool)
            rows = np.flatnonzero(take_or(bad, codes, False))[:MAX_PROBLEMS]
            problems += [Problem("error", msgs[codes[i]], source, int(i) + 1, col,
                                 _shown(uniques[codes[i]])) for i in rows]
            continue
        arr = df[col].to_numpy(dtype=object)
        present = arr[~pd.isna(df[col]).to_numpy()] if len(arr) else arr
        if not len(present):
            continue
        try:
            joined = ",".join(present)  # ',' matches none of the patterns below
        except TypeError:  # not all text: look at each cell
            joined = None
        if joined is not None and not _needs_look(col, joined, len(present)):
            continue
        found = 0
        for i, v in enumerate(arr):
            if found >= MAX_PROBLEMS:
                break
            msg = _cell_message(col, v)
            if msg:
                found += 1
                problems.append(Problem("error", msg, source, i + 1, col, _shown(v)))
    return problems


def _nested_cells(series: pd.Series, col: str, source: str) -> list[Problem]:
    """Errors for the JSON objects and lists in a column kept as it is (an unknown one): no
    file flowgraph writes holds them so that they read back (CSV would hold their Python
    text, Parquet a struct column its reader refuses)."""
    if series.dtype != object:
        return []
    arr = series.to_numpy(dtype=object)
    rows = [i for i, v in enumerate(arr) if isinstance(v, (dict, list, tuple, set))]
    return [Problem("error", f"{_cell_message(col, arr[i])} (a table cell holds one value: "
                    "flatten it into columns or write it as text)", source, i + 1, col,
                    _shown(arr[i])) for i in rows[:MAX_PROBLEMS]]


def _shown(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return short(v)


def _cell_message(col: str, v: Any) -> str | None:
    if isinstance(v, (dict, list, tuple, set)):
        what = "object" if isinstance(v, dict) else "list"
        return f"a JSON {what}, not a single value"
    if type(v) is not str:
        return None
    if col not in MULTILINE_COLUMNS:
        m = _LINEBREAK.search(v)
        if m:
            return (f"a line break inside {col} ({_char_name(m.group())}), which holds one "
                    "line: is a quote left open earlier in the row?")
    text = v.strip()
    m = _CONTROL.search(text)
    if m:
        return f"a control character ({_char_name(m.group())}) in the text"
    if col in NAME_COLUMNS:
        m = _INVISIBLE.search(text)
        if m:
            return (f"an invisible or non-printing character ({_char_name(m.group())}) in a"
                    " name: names that print alike must be spelled alike")
        if text and not any(unicodedata.category(c)[0] in "LNPS" for c in text):
            return "a name with no visible character"
    if col == "deal_id" and ("," in text or ";" in text):
        return ("',' and ';' separate the ids in supersedes lists: they are reserved and "
                "cannot be part of a deal_id")
    if col == "source_url" and _SPACE.search(text):
        return "whitespace inside a URL (encode a space as %20)"
    return None


def amount_problems(raw: pd.Series, col: str, *, source: str, factors: Any = None
                    ) -> tuple[list[Problem], np.ndarray, np.ndarray]:
    """Problems of an amount column (booleans, non-finite or out-of-range numbers), the mask
    of the rows they concern (so that other checks can skip those rows) and the numbers of
    the other cells (NaN where blank, refused or not a number), read once."""
    problems: list[Problem] = []
    n = len(raw)
    bad = np.zeros(n, dtype=bool)
    if raw.dtype == bool:
        bad[:] = True
        msgs = ["true/false is not an amount"] * n
        vals = np.full(n, np.nan)
    else:
        if raw.dtype == object:
            arr = raw.to_numpy(dtype=object)
            isbool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in arr), bool, n)
        else:  # numbers or text: no true/false cell
            isbool = np.zeros(n, dtype=bool)
        vals = (numeric(raw.where(~isbool, None)) if isbool.any()
                else numeric(raw, factors)).to_numpy()
        with np.errstate(invalid="ignore"):
            inf = np.isinf(vals)
            big = np.abs(vals) > MAX_AMOUNT
            tiny = (vals != 0) & (np.abs(vals) < MIN_AMOUNT)
        bad = isbool | inf | big | tiny
        if bad.any():
            vals = np.where(bad, np.nan, vals)
        msgs = []
        for i in np.flatnonzero(bad):
            if isbool[i]:
                msgs.append("true/false is not an amount")
            elif inf[i] or big[i]:
                msgs.append(f"not a finite amount within the accepted range (at most "
                            f"{MAX_AMOUNT:,.0f} billion USD)")
            else:
                msgs.append(f"below one dollar ({MIN_AMOUNT:g} billion USD): amounts are in "
                            "billions of USD")
    rows = np.flatnonzero(bad)
    values = raw.array
    for k, i in enumerate(rows[:MAX_PROBLEMS]):
        problems.append(Problem("error", msgs[k], source, int(i) + 1, col, _shown(values[i])))
    return problems, bad, vals


def blank_mask(series: pd.Series, factors: Any = None) -> np.ndarray:
    """Cells that are missing or only whitespace (pandas' ``str.strip``), judged once per
    unique value of a text column."""
    if series.dtype.kind in "biufcmM":  # numbers and dates as such: never blank text
        return series.isna().to_numpy()
    fac = factors if factors is not None else text_factors(series)
    if fac is None:
        return (series.isna() | series.astype(str).str.strip().eq("")).to_numpy()
    codes, uniques = fac
    per = pd.Series(uniques, dtype=object).astype(str).str.strip().eq("").to_numpy(dtype=bool)
    return take_or(per, codes, True, bool)


def unit_check(vals: np.ndarray, col: str) -> tuple[np.ndarray, str]:
    """The cells of an amount or company-figure column (billions of USD) large enough to
    suggest millions typed as billions, and the warning to give them: the one rule for
    deals and companies."""
    limit = UNIT_CHECK_MARKET_VALUE if col == "market_value_usd_bn" else UNIT_CHECK
    with np.errstate(invalid="ignore"):
        large = ~np.isnan(vals) & (vals > limit)
    return large, (f"over {limit:,.0f} billion USD (${limit / 1000:g} trillion): is it in "
                   "millions? Amounts are in billions of USD")


def amount_column(raw: pd.Series, col: str, *, source: str, factors: Any = None
                  ) -> tuple[list[Problem], np.ndarray, np.ndarray, np.ndarray]:
    """An amount column checked: the problems of :func:`amount_problems`, the numbers (NaN
    where blank, refused or not a number), the mask of the cells that are not numbers
    (neither blank nor refused; the callers word that message for their table) and the mask
    of every cell with an error (refused or not a number: not blank, yet no number)."""
    found, refused, vals = amount_problems(raw, col, source=source, factors=factors)
    filled = ~blank_mask(raw, factors)
    not_number = filled & ~refused & np.isnan(vals)
    return found, vals, not_number, filled & np.isnan(vals)


def _skeleton(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(text.translate(_CONFUSABLE).split())  # "Open AI" and "OpenAI" alike


def _coarse(name: str) -> str:
    """:func:`_skeleton` of an ASCII name (lower case, no white space), quicker; a
    non-ASCII name's skeleton is computed itself."""
    return "".join(name.lower().split())


def _lookalike_key(name: Any) -> str:
    """The key :func:`lookalike_candidates` groups names by."""
    if isinstance(name, str) and name.isascii():
        return _coarse(name)
    return "" if not isinstance(name, str) else _skeleton(name)


def may_look_alike(names: np.ndarray) -> np.ndarray:
    """Which of these distinct names :func:`lookalike_candidates` would keep: the non-ASCII
    ones and those whose key another name shares. On many names the ASCII keys (lower case,
    no whitespace) are computed by pyarrow's kernels, exactly as :func:`_coarse`."""
    names = np.asarray(names, dtype=object)
    n = len(names)
    if n < VECTOR_MIN or not all(type(v) is str for v in names):
        keys = np.array([_lookalike_key(v) for v in names], dtype=object)
        plain = np.array([isinstance(v, str) and v.isascii() for v in names], dtype=bool)
    else:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(names, type=pa.large_string())
        plain = pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
        keys = pc.replace_substring_regex(pc.ascii_lower(arr), _ASCII_SPACE, "").to_numpy(
            zero_copy_only=False).astype(object)
        other = np.flatnonzero(~plain)
        keys[other] = [_lookalike_key(v) for v in names[other]]
    shared = pd.Series(keys, dtype=object).duplicated(keep=False).to_numpy()
    return ~plain | shared


def lookalike_candidates(names: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The ``(row, column, name)`` entries that may share a skeleton with another name (the
    others cannot be part of a warning), in the order given."""
    plain = [isinstance(n, str) and n.isascii() for _r, _c, n in names]
    keys: dict[str, int] = {}
    coarse = []
    for (_r, _c, n), asc in zip(names, plain):
        k = _coarse(n) if asc else ("" if not isinstance(n, str) else _skeleton(n))
        coarse.append(k)
        keys[k] = keys.get(k, 0) + 1
    return [t for t, asc, k in zip(names, plain, coarse) if not asc or keys[k] > 1]


def _how_alike(a: str, b: str) -> str:
    """What tells two names with one :func:`_skeleton` apart, in a few words."""
    if a.casefold() == b.casefold():
        return "letter case"
    if "".join(a.split()) == "".join(b.split()):
        return "spacing"
    if "".join(a.casefold().split()) == "".join(b.casefold().split()):
        return "letter case and spacing"
    return "look-alike letters, accents, width or spacing"


def lookalike_warnings(names: Iterable[tuple[int, str, str]], *, source: str) -> list[Problem]:
    """A warning for each pair of distinct names that differ only by case, spacing, width,
    accents or look-alike letters. ``names`` holds ``(row, column, name)`` in row order."""
    first: dict[str, dict[str, tuple[int, str]]] = {}
    for row, col, name in names:
        if not isinstance(name, str):
            continue
        spellings = first.setdefault(_skeleton(name), {})
        spellings.setdefault(name, (row, col))
    out = []
    for spellings in first.values():
        if len(spellings) < 2:
            continue
        items = list(spellings.items())
        base_name, (base_row, _) = items[0]
        for other, (row, col) in items[1:]:
            how = _how_alike(base_name, other)
            out.append(Problem(
                "warning", f"{other!r} and {base_name!r} (row {base_row}) differ only by {how}:"
                " they are separate companies; spell them alike if they are one",
                source, row, col, other))
        if len(out) >= MAX_PROBLEMS:
            break
    return out


def structure_problems(ids: np.ndarray, payer: np.ndarray, payee: np.ndarray,
                       supersedes: np.ndarray | None, part_of: np.ndarray | None,
                       amount: np.ndarray, high: np.ndarray, *, source: str,
                       split_ids: Any) -> list[Problem]:
    """The supersession and tranche rules (see the module); ids that do not exist and
    self-references are reported by the caller."""
    problems: list[Problem] = []
    if ((part_of is None or not pd.notna(part_of).any())
            and (supersedes is None or not pd.notna(supersedes).any())):
        return problems
    row_of: dict[str, int] = {}
    for i, d in enumerate(ids):
        if isinstance(d, str):
            row_of.setdefault(d, i)
    if part_of is not None:
        parent: dict[str, str] = {}
        for i in np.flatnonzero(pd.notna(part_of)):
            i = int(i)
            h, d = part_of[i], ids[i]
            if h not in row_of or h == d:
                continue
            if isinstance(d, str):
                parent[d] = h
            j = row_of[h]
            if (payer[i], payee[i]) != (payer[j], payee[j]):
                problems.append(Problem(
                    "error", f"a tranche must have its headline's payer and payee "
                    f"({short(payer[j])} -> {short(payee[j])}); this row is "
                    f"{short(payer[i])} -> {short(payee[i])}", source, i + 1, "part_of", h))
            if supersedes is not None and h in split_ids(supersedes[i]):
                problems.append(Problem(
                    "error", "a row cannot both supersede a deal and be a tranche of it",
                    source, i + 1, "part_of", h))
        reported: set[str] = set()
        for start in sorted(parent):
            seen = [start]
            node = start
            while node in parent:
                node = parent[node]
                if node in seen:
                    loop = seen[seen.index(node):]
                    key = min(loop)
                    if key not in reported:
                        reported.add(key)
                        problems.append(Problem(
                            "error", "cycle of tranches (part_of): "
                            + " -> ".join([*loop, node]) + "; every row in it would be left out",
                            source, row_of[loop[0]] + 1, "part_of", parent[loop[0]]))
                    break
                seen.append(node)
        totals: dict[str, float] = {}
        for d, h in parent.items():
            a = amount[row_of[d]]
            if not math.isnan(a):
                totals[h] = totals.get(h, 0.0) + a
        for h, total in sorted(totals.items()):
            j = row_of[h]
            cap = high[j] if not math.isnan(high[j]) else amount[j]
            if not math.isnan(cap) and total > cap * (1 + 1e-9) + 1e-12:
                problems.append(Problem(
                    "error", f"its tranches add up to {total:g}, more than the headline's "
                    f"high end {cap:g} (billion USD)", source, j + 1, "amount_usd_bn",
                    f"{amount[j]:g}" if not math.isnan(amount[j]) else None))
    if supersedes is not None:
        for i in np.flatnonzero(pd.notna(supersedes)):
            i = int(i)
            for t in split_ids(supersedes[i]):
                if t not in row_of or t == ids[i]:
                    continue
                j = row_of[t]
                if (payer[i], payee[i]) == (payer[j], payee[j]):
                    continue
                if (payer[i], payee[i]) == (payee[j], payer[j]):
                    problems.append(Problem(
                        "error", f"supersedes a flow in the other direction ({short(payer[j])}"
                        f" -> {short(payee[j])}); a restated deal keeps its payer and payee",
                        source, i + 1, "supersedes", t))
                else:
                    problems.append(Problem(
                        "warning", f"supersedes a flow between other companies "
                        f"({short(payer[j])} -> {short(payee[j])}); the replaced flow leaves "
                        "the network", source, i + 1, "supersedes", t))
    return problems
