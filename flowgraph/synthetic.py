"""Seeded generator of large, realistic synthetic deal networks.

Real deal networks are small; testing and benchmarking analyses at scale needs networks that
look like them but are much larger. :func:`synthetic_network` draws one:

* companies with heavy-tailed (power-law) expected degrees, Chung-Lu style: a few hubs pay and
  receive most deals, a long tail does few; paying and receiving activity are correlated (big
  payers are often big receivers), which creates the cycles real networks have;
* heavy-tailed (lognormal) deal amounts that grow with the size of both parties, rounded to
  $1 million (0.001 billion), the precision deals are reported at;
* announcement dates spread over several years, reported to the day, month or year;
* a realistic mix of flow types, statuses and confidence levels; some amounts unknown, some
  reported as a low-high range only;
* company kinds, listing, country and fundamentals (revenue, market value, cash, debt,
  equity) that scale with the company's size, up to the validator's unit check
  (:data:`flowgraph._checks.UNIT_CHECK`).

The result is valid under :func:`flowgraph.validate_deals` (unique ids, payer != payee, valid
enumerations, ISO dates, a ``synthetic://`` source URL) and fast: a million deals take a few
seconds (vectorised numpy).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schema
from . import _params
from ._checks import UNIT_CHECK, UNIT_CHECK_MARKET_VALUE
from .errors import ParameterError

__all__ = ["SyntheticNetwork", "synthetic_network"]

_FLOW_TYPE_P = {
    "compute_contract": 0.24,
    "chip_purchase": 0.18,
    "equity_investment": 0.16,
    "debt_financing": 0.10,
    "lease": 0.08,
    "revenue_share": 0.06,
    "capacity_backstop": 0.04,
    "warrant": 0.03,
    "acquisition": 0.02,
    "other": 0.09,
}
_STATUS_P = {"rumored": 0.08, "announced": 0.32, "committed": 0.32, "disbursed": 0.28}
_CONFIDENCE_P = {"low": 0.15, "medium": 0.40, "high": 0.45}
_KIND_P = {
    "chipmaker": 0.05,
    "ai_lab": 0.15,
    "hyperscaler": 0.02,
    "neocloud": 0.10,
    "investor": 0.22,
    "datacenter_developer": 0.10,
    "financier": 0.10,
    "spv": 0.08,
    "other": 0.18,
}
_COUNTRIES = ("US", "CN", "GB", "DE", "FR", "JP", "KR", "TW", "IN", "CA", "AE", "SA", "NL",
              "SG", "IL")
_COUNTRY_P = (0.45, 0.10, 0.06, 0.05, 0.04, 0.05, 0.04, 0.03, 0.04, 0.03, 0.03, 0.02, 0.02,
              0.02, 0.02)


@dataclass(frozen=True, eq=False)
class SyntheticNetwork:
    """A synthetic deal network.

    Attributes
    ----------
    deals : pandas.DataFrame
        Deals in the flowgraph schema (``schema.DEAL_COLUMNS``).
    companies : pandas.DataFrame
        Companies in the flowgraph schema (``schema.COMPANY_COLUMNS``).
    seed : int
        The seed that reproduces it.
    params : dict
        All generator parameters.

    Examples
    --------
    >>> import flowgraph as fg
    >>> net = fg.synthetic_network(20, 50, seed=1)
    >>> len(net.deals), len(net.companies)
    (50, 20)
    """

    deals: pd.DataFrame
    companies: pd.DataFrame
    seed: int
    params: dict


def _draw_codes(rng: np.random.Generator, table: dict[str, float],
                size: int) -> tuple[np.ndarray, np.ndarray]:
    """The keys of ``table`` and ``size`` indices into them drawn with its probabilities."""
    keys = np.array(list(table))
    p = np.array(list(table.values()), dtype=float)
    return keys, rng.choice(len(keys), size=size, p=p / p.sum())


def _choice(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys, codes = _draw_codes(rng, table, size)
    return keys[codes]


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded 1..n, vectorised."""
    digits = (np.arange(1, n + 1, dtype=np.int64) + 10**width).astype(str)
    return np.strings.add(prefix, np.strings.slice(digits, 1, None))


def synthetic_network(
    companies: int = 1000,
    deals: int = 5000,
    *,
    seed: int = 0,
    exponent: float = 2.2,
    reciprocity: float = 0.8,
    amount_sigma: float = 1.6,
    median_amount: float = 0.05,
    unknown_fraction: float = 0.05,
    range_fraction: float = 0.08,
    start_year: int = 2019,
    end_year: int = 2025,
    max_amount: float = 500.0,
) -> SyntheticNetwork:
    """Draw a seeded synthetic deal network with heavy-tailed degrees and amounts.

    Parameters
    ----------
    companies : int
        Number of companies (at least 2).
    deals : int
        Number of deals (each has payer != payee; pairs may repeat, like real deal flow).
    seed : int
        Random seed; the same seed and parameters give the same network.
    exponent : float
        Power-law exponent of the expected degree distribution (> 2; about 2-3 in real
        economic networks). Company ``i`` (0-based rank) has weight ``(i + 1) ** (-1 /
        (exponent - 1))``.
    reciprocity : float
        Correlation (0-1) between a company's paying and receiving activity; higher values
        make hubs both pay and receive, hence more cycles.
    amount_sigma : float
        Log-scale spread of deal amounts (lognormal sigma).
    median_amount : float
        Median deal amount between two median companies, in billions of USD.
    unknown_fraction : float
        Share of deals whose amount is not reported (left blank).
    range_fraction : float
        Share of deals reported only as a low-high range (point amount blank).
    start_year, end_year : int
        Announcement dates are spread uniformly over these years (inclusive).
    max_amount : float
        Largest single deal, in billions (the largest reported AI deals are a few hundred).

    Returns
    -------
    SyntheticNetwork

    Raises
    ------
    ParameterError
        For out-of-range parameters.

    Examples
    --------
    >>> net = synthetic_network(50, 200, seed=1)
    >>> len(net.deals), len(net.companies)
    (200, 50)
    >>> bool((net.deals["payer"] != net.deals["payee"]).all())
    True
    """
    params = dict(companies=companies, deals=deals, exponent=exponent, reciprocity=reciprocity,
                  amount_sigma=amount_sigma, median_amount=median_amount,
                  unknown_fraction=unknown_fraction, range_fraction=range_fraction,
                  start_year=start_year, end_year=end_year, max_amount=max_amount)
    _check_params(**params)
    rng = np.random.default_rng(_params.seed(seed))
    n, m = int(companies), int(deals)
    p_out, p_in, size = _company_weights(rng, n, exponent=exponent, reciprocity=reciprocity)
    payer, payee = _draw_pairs(rng, m, p_out, p_in)
    point, low, high = _draw_amounts(
        rng, size[payer] * size[payee], median_amount=median_amount,
        amount_sigma=amount_sigma, max_amount=max_amount, unknown_fraction=unknown_fraction,
        range_fraction=range_fraction)
    announced, year_text, end, has_period = _draw_dates(rng, m, start_year, end_year)

    names = _ids("SYN-", n, max(6, len(str(n))))
    ft_keys, ft_code = _draw_codes(rng, _FLOW_TYPE_P, m)
    descriptions = np.array(["Synthetic " + k.replace("_", " ") for k in ft_keys])
    deals_df = pd.DataFrame({
        "deal_id": _ids(f"S{seed}-", m, max(7, len(str(m)))),
        "payer": names[payer],
        "payee": names[payee],
        "amount_usd_bn": point,
        "amount_low_usd_bn": low,
        "amount_high_usd_bn": high,
        "flow_type": ft_keys[ft_code],
        "status": _choice(rng, _STATUS_P, m),
        "announced": announced,
        "period_start": np.where(has_period, year_text, None),
        "period_end": np.where(has_period, end, None),
        "description": descriptions[ft_code],
        "source_url": f"synthetic://seed/{seed}",
        "source_title": "flowgraph synthetic network",
        "confidence": _choice(rng, _CONFIDENCE_P, m),
        "supersedes": None,
        "part_of": None,
        "estimate": False,
    }, columns=list(schema.DEAL_COLUMNS))
    comp_df = _companies_table(rng, names, size, as_of=f"{end_year}-12-31",
                               src=f"synthetic://seed/{seed}")
    deals_df.attrs["flowgraph_validated"] = True  # valid by construction (tests check it)
    return SyntheticNetwork(deals=deals_df, companies=comp_df, seed=int(seed), params=params)


def _check_params(*, companies: int, deals: int, exponent: float, reciprocity: float,
                  amount_sigma: float, median_amount: float, unknown_fraction: float,
                  range_fraction: float, start_year: int, end_year: int,
                  max_amount: float) -> None:
    """Raise ParameterError for a parameter of :func:`synthetic_network` out of range."""
    if companies < 2:
        raise ParameterError("companies must be at least 2")
    if deals < 0:
        raise ParameterError("deals must not be negative")
    if not exponent > 2:
        raise ParameterError("exponent must be greater than 2")
    for name, val in (("reciprocity", reciprocity), ("unknown_fraction", unknown_fraction),
                      ("range_fraction", range_fraction)):
        if not 0 <= val <= 1:
            raise ParameterError(f"{name} must be between 0 and 1")
    if unknown_fraction + range_fraction > 1:
        raise ParameterError("unknown_fraction + range_fraction must not exceed 1")
    if not (amount_sigma >= 0 and 0 < median_amount <= max_amount):
        raise ParameterError("need amount_sigma >= 0 and 0 < median_amount <= max_amount")
    if end_year < start_year:
        raise ParameterError("end_year must not be before start_year")


def _company_weights(rng: np.random.Generator, n: int, *, exponent: float,
                     reciprocity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chung-Lu paying and receiving probabilities, correlated, and each company's size."""
    rank_w = (np.arange(1, n + 1, dtype=float)) ** (-1.0 / (exponent - 1.0))
    noise_out = rng.lognormal(0.0, 0.5, n)
    noise_in = np.exp(reciprocity * np.log(noise_out)
                      + math.sqrt(max(0.0, 1 - reciprocity**2)) * rng.normal(0.0, 0.5, n))
    # receiving rank: the paying rank shuffled a little (or a lot, for low reciprocity)
    jitter = rng.normal(0.0, (1.0 - reciprocity) * n * 0.5 + 1.0, n)
    in_rank = np.argsort(np.argsort(np.arange(n) + jitter))
    w_out = rank_w * noise_out
    w_in = rank_w[in_rank] * noise_in
    size = np.sqrt(w_out * w_in)
    return w_out / w_out.sum(), w_in / w_in.sum(), size / np.median(size)


def _draw_pairs(rng: np.random.Generator, m: int, p_out: np.ndarray,
                p_in: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Payer and payee of each deal, never the same company."""
    n = len(p_out)
    payer = rng.choice(n, size=m, p=p_out)
    payee = rng.choice(n, size=m, p=p_in)
    same = payer == payee
    while same.any():  # redraw self-deals
        payee[same] = rng.choice(n, size=int(same.sum()), p=p_in)
        same = payer == payee
    return payer, payee


def _draw_amounts(rng: np.random.Generator, pair_size: np.ndarray, *, median_amount: float,
                  amount_sigma: float, max_amount: float, unknown_fraction: float,
                  range_fraction: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point amount, low and high end of each deal: lognormal, larger between larger
    companies, rounded to $1M; some unknown, some reported as a range only."""
    m = len(pair_size)
    mu = math.log(median_amount) + 0.35 * np.log(pair_size)
    amount = np.round(np.exp(mu + amount_sigma * rng.standard_normal(m)), 3)
    amount = np.clip(amount, 0.001, max_amount)
    kind_draw = rng.random(m)
    unknown = kind_draw < unknown_fraction
    ranged = (kind_draw >= unknown_fraction) & (kind_draw < unknown_fraction + range_fraction)
    spread = rng.uniform(0.1, 0.4, m)
    low = np.where(ranged, np.maximum(np.round(amount * (1 - spread), 3), 0.001), np.nan)
    high = np.where(ranged, np.round(amount * (1 + spread), 3), np.nan)
    high = np.where(ranged, np.maximum(high, low), np.nan)
    point = np.where(unknown | ranged, np.nan, amount)
    return point, low, high


def _draw_dates(rng: np.random.Generator, m: int, start_year: int,
                end_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Announcement dates uniform over the years, reported to the day (75%), month (18%) or
    year (7%); half the deals with a period of 1-5 years."""
    first = np.datetime64(f"{start_year}-01-01")
    days = int((np.datetime64(f"{end_year + 1}-01-01") - first).astype(int))
    day = first + rng.integers(0, days, m).astype("timedelta64[D]")
    text = day.astype("U10")
    year_text = text.astype("U4")
    prec = rng.random(m)
    announced = np.where(prec < 0.75, text, np.where(prec < 0.93, text.astype("U7"), year_text))
    years = rng.integers(1, 6, m)
    end = (day.astype("datetime64[Y]").astype(np.int64) + 1970 + years).astype("U4")
    has_period = rng.random(m) < 0.5
    return announced, year_text, end, has_period


def _companies_table(rng: np.random.Generator, names: np.ndarray, size: np.ndarray, *,
                     as_of: str, src: str) -> pd.DataFrame:
    """Company kinds, listing, country and fundamentals scaling with the company's size."""
    n = len(names)
    kinds = _choice(rng, _KIND_P, n)
    listed = rng.random(n) < np.clip(0.2 + 0.6 * (size / (size + 1.0)), 0, 0.95)
    revenue = np.round(np.exp(np.log(2.0 * size) + rng.normal(0, 0.8, n)), 3)
    mv = np.round(revenue * np.exp(rng.normal(1.5, 0.7, n)), 3)
    cash = np.round(revenue * np.exp(rng.normal(-1.2, 0.6, n)), 3)
    debt = np.round(revenue * np.exp(rng.normal(-0.5, 1.0, n)), 3)
    equity = np.round(mv * np.exp(rng.normal(-1.2, 0.6, n)), 3)
    # the far tail stops where the validator would ask whether a figure is in millions
    revenue, cash, debt, equity = (np.minimum(x, UNIT_CHECK)
                                   for x in (revenue, cash, debt, equity))
    mv = np.minimum(mv, UNIT_CHECK_MARKET_VALUE)
    no_rev = np.isin(kinds, ["investor", "spv"]) & (rng.random(n) < 0.7)
    revenue = np.where(no_rev, np.nan, revenue)
    mv = np.where(~listed & (rng.random(n) < 0.5), np.nan, mv)
    return pd.DataFrame({
        "name": names,
        "kind": kinds,
        "listed": listed,
        "ticker": np.where(listed, np.strings.replace(names, "SYN-", "S"), None),
        "country": np.array(_COUNTRIES, dtype=object)[
            rng.choice(len(_COUNTRIES), n, p=np.array(_COUNTRY_P) / sum(_COUNTRY_P))],
        "revenue_usd_bn": revenue,
        "revenue_as_of": np.where(np.isnan(revenue), None, as_of),
        "revenue_source": np.where(np.isnan(revenue), None, src),
        "market_value_usd_bn": mv,
        "market_value_as_of": np.where(np.isnan(mv), None, as_of),
        "market_value_source": np.where(np.isnan(mv), None, src),
        "cash_usd_bn": cash,
        "cash_as_of": as_of,
        "cash_source": src,
        "debt_usd_bn": debt,
        "debt_as_of": as_of,
        "debt_source": src,
        "equity_usd_bn": equity,
        "equity_as_of": as_of,
        "equity_source": src,
        "notes": "Synthetic company",
    }, columns=list(schema.COMPANY_COLUMNS))
