"""The flowgraph exception hierarchy.

Every error raised on purpose by flowgraph derives from :class:`FlowgraphError` and also from
the matching built-in exception, so ``except ValueError`` keeps working for callers that do
not know about flowgraph.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "DataError",
    "DataWarning",
    "DatasetNotFoundError",
    "FlowgraphError",
    "MissingDataError",
    "ParameterError",
    "Problem",
    "SolverError",
    "UnknownCompanyError",
]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    Attributes
    ----------
    severity : {"error", "warning"}
        Errors stop a load; warnings are reported and the load goes on.
    message : str
        What is wrong, in plain words.
    source : str
        File name (or ``"<DataFrame>"``).
    row : int or None
        1-based data row (the header is row 0), or None for a whole-table problem.
    column : str or None
        Column name, if the problem is in one column.
    value : str or None
        The offending value, as text.

    Examples
    --------
    >>> str(Problem("error", "negative amount", "deals.csv", 3, "amount_usd_bn", "-1"))
    "deals.csv: row 3, column 'amount_usd_bn', value '-1': negative amount"
    """

    severity: str
    message: str
    source: str = "<data>"
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Problem:
        # immutable: nothing to copy (a large table can carry many warnings)
        return self

    def __str__(self) -> str:
        where = [self.source]
        loc = []
        if self.row is not None:
            loc.append(f"row {self.row}")
        if self.column is not None:
            loc.append(f"column {self.column!r}")
        if self.value is not None:
            value = self.value if len(self.value) <= 80 else self.value[:79] + "…"
            loc.append(f"value {value!r}")
        if loc:
            where.append(", ".join(loc))
        return ": ".join(where) + ": " + self.message


class FlowgraphError(Exception):
    """Root of every error flowgraph raises on purpose.

    Examples
    --------
    >>> import flowgraph as fg
    >>> try:
    ...     fg.load_dataset("no-such-dataset")
    ... except fg.FlowgraphError as exc:
    ...     print(type(exc).__name__)
    DatasetNotFoundError
    """


class DataError(FlowgraphError, ValueError):
    """Input data is invalid.

    Parameters
    ----------
    message : str
        Summary line.
    problems : list of Problem, optional
        Every problem found (errors and warnings).

    Examples
    --------
    >>> import pandas as pd, flowgraph as fg
    >>> bad = pd.DataFrame({"deal_id": ["d1"], "payer": ["A"], "payee": ["A"],
    ...                     "flow_type": ["lease"], "status": ["committed"]})
    >>> try:
    ...     fg.read_deals(bad)
    ... except fg.DataError as exc:
    ...     print(len(exc.errors), isinstance(exc, ValueError))
    1 True
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``"error"``."""
        return [p for p in self.problems if p.severity == "error"]

    def details(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


class DataWarning(UserWarning):
    """Non-fatal problems found while reading a table: one warning per read.

    The readers (:func:`flowgraph.read_deals`, :func:`flowgraph.read_companies`, the
    revenue-table readers) issue it through :mod:`warnings`, as pandas does with its
    ``DtypeWarning``; :func:`flowgraph.load_dataset` gathers them in ``Dataset.warnings``
    and :func:`flowgraph.validate_file` lists them in its report instead.

    Parameters
    ----------
    source : str
        The file (or ``"<DataFrame>"``) read.
    problems : sequence of Problem
        Every warning found, in the order found.

    Attributes
    ----------
    source : str
    problems : tuple of Problem

    Examples
    --------
    >>> import warnings, pandas as pd, flowgraph as fg
    >>> t = pd.DataFrame({"deal_id": ["d1"], "payer": ["A"], "payee": ["B"],
    ...                   "flow_type": ["lease"], "status": ["committed"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     deals = fg.read_deals(t)
    >>> w = caught[0].message
    >>> isinstance(w, fg.DataWarning), len(w.problems)
    (True, 2)
    >>> str(w).split(": row")[0]
    '<DataFrame>: 2 warnings'
    """

    FIRST = 3
    """Problems quoted in the message."""

    def __init__(self, source: str, problems: Any) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        first = "; ".join(_without_source(p, source) for p in self.problems[:self.FIRST])
        more = (f"; and {n - self.FIRST:,} more (the warning's .problems lists every one)"
                if n > self.FIRST else "")
        super().__init__(f"{source}: {n:,} warning{'' if n == 1 else 's'}: {first}{more}")


def _without_source(p: Problem, source: str) -> str:
    """A problem in words without the file name the message starts with."""
    text = str(p)
    return text[len(source) + 2:] if text.startswith(source + ": ") else text


def warn_problems(source: str, problems: Any, *, stacklevel: int = 3) -> None:
    """Issue one :class:`DataWarning` for the warnings among ``problems`` (none: nothing)."""
    import warnings

    found = [p for p in problems if p.severity != "error"]
    if found:
        warnings.warn(DataWarning(source, found), stacklevel=stacklevel)


class ParameterError(FlowgraphError, ValueError):
    """An option has a value outside its allowed range or set.

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> try:
    ...     fg.stress_test(G, ["LabCo"], loss=1.5)
    ... except fg.ParameterError as exc:
    ...     print(exc)
    loss must be between 0 and 1 (a share), got 1.5
    """


class UnknownCompanyError(FlowgraphError, LookupError):
    """A company name that is not in the graph.

    Examples
    --------
    >>> import flowgraph as fg
    >>> G = fg.build_graph(fg.load_dataset("toy"))
    >>> try:
    ...     fg.company_exposure(G, "Labco Inc")
    ... except fg.UnknownCompanyError as exc:
    ...     print(exc)
    unknown company 'Labco Inc'; did you mean LabCo?
    """

    def __str__(self) -> str:  # LookupError/KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DatasetNotFoundError(FlowgraphError, LookupError):
    """No bundled dataset of that name.

    Examples
    --------
    >>> import flowgraph as fg
    >>> try:
    ...     fg.load_dataset("toys")
    ... except fg.DatasetNotFoundError as exc:
    ...     print(exc)
    no bundled dataset 'toys'; available: ai-capital, toy
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SolverError(FlowgraphError, RuntimeError):
    """A numerical solver failed to produce an answer.

    Examples
    --------
    >>> import flowgraph as fg
    >>> isinstance(fg.SolverError("no optimum"), RuntimeError)
    True
    """


class MissingDataError(FlowgraphError, ValueError):
    """An analysis lacks data it needs (for example, no loss buffers at all).

    Examples
    --------
    >>> import networkx as nx, flowgraph as fg
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("A", "B", key="d", amount=1.0, flow_type="lease", status="committed")
    >>> try:
    ...     fg.stress_test(M, ["A"], missing_buffer="exclude")
    ... except fg.MissingDataError:
    ...     print("no buffers")
    no buffers
    """
