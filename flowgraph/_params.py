"""Checks of argument types for the public functions: a wrong type is a
:class:`~flowgraph.errors.ParameterError` naming the argument, never a bare ``TypeError``."""
from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import ParameterError


def whole(name: str, value: Any, *, minimum: int | None = None) -> None:
    """``value`` must be None or a whole number (not a bool), at least ``minimum``.

    Examples
    --------
    >>> try:
    ...     whole("top", "3", minimum=1)
    ... except ParameterError as exc:
    ...     print(exc)
    top must be a whole number, got '3' (str)
    """
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be a whole number, got {value!r} "
                             f"({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ParameterError(f"{name} must be at least {minimum}, got {value!r}")


def seed(value: Any) -> Any:
    """``value`` when it can seed numpy's generator: None (fresh entropy) or a whole number of
    at least 0 (:func:`whole`); the one rule of every seeded function (samples, null
    networks, synthetic networks).

    Examples
    --------
    >>> seed(7)
    7
    >>> try:
    ...     seed(-1)
    ... except ParameterError as exc:
    ...     print(exc)
    seed must be at least 0, got -1
    """
    whole("seed", value, minimum=0)
    return value


def number(name: str, value: Any, *, positive: bool = False) -> None:
    """``value`` must be None or a finite real number (not a bool), positive if asked.

    Examples
    --------
    >>> try:
    ...     number("quantum", "1", positive=True)
    ... except ParameterError as exc:
    ...     print(exc)
    quantum must be a number, got '1' (str)
    """
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(float(value)) or (positive and value <= 0):
        raise ParameterError(f"{name} must be a {'positive ' if positive else ''}finite number,"
                             f" got {value!r}")


def renamed(**old_to_new: str) -> Any:
    """Decorator: keyword arguments renamed for one name per idea across the library still
    work under their old names, with a :class:`DeprecationWarning` naming the new one (the
    one place of this rule).

    Examples
    --------
    >>> import warnings
    >>> @renamed(max_cycle_length="max_length")
    ... def f(*, max_length=6):
    ...     return max_length
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     (f(max_cycle_length=4), str(w[0].message))
    (4, 'f: max_cycle_length is now called max_length')
    """
    import functools
    import warnings

    def wrap(func: Any) -> Any:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise ParameterError(f"{func.__name__}: give {new} (the new name of "
                                             f"{old}), not both")
                    warnings.warn(f"{func.__name__}: {old} is now called {new}",
                                  DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return inner

    return wrap


class Notes(tuple):
    """A result's notes: a tuple of sentences (the one result convention, ``result.notes``).

    Calling it, as ``result.notes()`` of the results whose notes were a method, still
    returns them as a list for one release, with a :class:`DeprecationWarning`.

    Examples
    --------
    >>> n = Notes(["Amounts in USD billions."])
    >>> n[0], isinstance(n, tuple)
    ('Amounts in USD billions.', True)
    """

    __slots__ = ()

    def __call__(self) -> list[str]:
        import warnings

        warnings.warn("notes is now a tuple: use result.notes, not result.notes()",
                      DeprecationWarning, stacklevel=2)
        return list(self)
