"""flowgraph: find and measure circular money flows in company networks.

Load deals (payer -> payee money flows) and companies, build a graph, and ask: which loops
exist and how much money can go round them, what share of a company's revenue is its own
money coming back, who depends on one counterparty, and what one failure does to the rest.

Names are imported lazily (on first use), so ``import flowgraph`` and the command line
start fast.

Examples
--------
>>> import flowgraph as fg
>>> G = fg.build_graph(fg.load_dataset("toy"))
>>> G.number_of_nodes() > 0
True
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    DataError,
    DataWarning,
    DatasetNotFoundError,
    FlowgraphError,
    MissingDataError,
    ParameterError,
    Problem,
    SolverError,
    UnknownCompanyError,
)

__version__ = "0.1.0"
"""The package's version: the one place it is written (``setup.cfg`` reads it from here)."""

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    # graph building
    "build_graph": "graph",
    "check_company": "graph",
    "collapse": "graph",
    "filter_deals": "graph",
    "from_dataframes": "graph",
    "to_dataframes": "graph",
    "write_gexf": "graph",
    "write_graphml": "graph",
    "select_companies": "selection",
    "CompanyProfile": "profile",
    "company_profile": "profile",
    "FigureResult": "figures",
    "figure": "figures",
    "GraphView": "_notebook",
    "show": "_notebook",
    # data loading
    "Dataset": "io",
    "ValidationReport": "io",
    "list_datasets": "io",
    "load_dataset": "io",
    "read_companies": "io",
    "read_deals": "io",
    "validate_companies": "io",
    "validate_deals": "io",
    "validate_file": "io",
    "write_companies": "io",
    "write_deals": "io",
    # cycles
    "CycleResult": "cycles",
    "cycle_participation": "cycles",
    "cycles_from_arrays": "cycles",
    "find_cycles": "cycles",
    # circulation
    "CirculationResult": "circulation",
    "CompanyCirculationResult": "circulation",
    "FinnResult": "circulation",
    "KeystoneResult": "circulation",
    "SelfFundedResult": "circulation",
    "company_circulation": "circulation",
    "finn_cycling_index": "circulation",
    "keystones": "circulation",
    "maximal_circulation": "circulation",
    "self_funded": "circulation",
    # synthetic networks
    "SyntheticNetwork": "synthetic",
    "synthetic_network": "synthetic",
    # summary
    "Summary": "summary",
    "deals_frame": "summary",
    "summarize": "summary",
    # how firm the money is
    "MoneyFirmness": "firmness",
    "estimates_note": "firmness",
    "money_firmness": "firmness",
    # risk: exposures, concentration, stress tests
    "CompanyExposure": "exposure",
    "company_exposure": "exposure",
    "exposures": "exposure",
    "semantics_table": "exposure",
    "NetworkConcentration": "concentration",
    "centrality": "concentration",
    "commitments": "concentration",
    "company_concentration": "concentration",
    "dependency_matrix": "concentration",
    "hhi": "concentration",
    "mutual_dependencies": "concentration",
    "network_concentration": "concentration",
    "StressResult": "stress",
    "StressRange": "stress",
    "stress_range": "stress",
    "stress_test": "stress",
    # how sure: uncertainty of the amounts, significance against null models
    "AmountSamples": "sampling",
    "UncertaintyResult": "sampling",
    "HowSure": "sampling",
    "how_sure": "sampling",
    "sample_amounts": "sampling",
    "uncertainty": "sampling",
    "NullSamples": "nulls",
    "SignificanceResult": "nulls",
    "null_model": "nulls",
    "significance": "nulls",
    # interactive graph and report
    "to_html": "html",
    "Report": "report",
    "write_report": "report",
    # time: the web on any date, how it formed
    "TimelineResult": "timelines",
    "timeline": "timelines",
    "MeansResult": "schedule",
    "PowerSchedule": "schedule",
    "Schedule": "schedule",
    "against_means": "schedule",
    "duration_mismatch": "schedule",
    "payment_schedule": "schedule",
    "power_schedule": "schedule",
    "us_capacity_additions": "schedule",
}

__all__ = [
    "AmountSamples",
    "CirculationResult",
    "CompanyCirculationResult",
    "CompanyExposure",
    "CompanyProfile",
    "CycleResult",
    "DataError",
    "DataWarning",
    "Dataset",
    "DatasetNotFoundError",
    "FigureResult",
    "FinnResult",
    "FlowgraphError",
    "GraphView",
    "HowSure",
    "KeystoneResult",
    "MeansResult",
    "MissingDataError",
    "MoneyFirmness",
    "NetworkConcentration",
    "NullSamples",
    "ParameterError",
    "PowerSchedule",
    "Problem",
    "Report",
    "Schedule",
    "SelfFundedResult",
    "SignificanceResult",
    "SolverError",
    "StressRange",
    "StressResult",
    "Summary",
    "SyntheticNetwork",
    "TimelineResult",
    "UncertaintyResult",
    "UnknownCompanyError",
    "ValidationReport",
    "__version__",
    "against_means",
    "build_graph",
    "centrality",
    "check_company",
    "collapse",
    "commitments",
    "company_circulation",
    "company_concentration",
    "company_exposure",
    "company_profile",
    "cycle_participation",
    "cycles_from_arrays",
    "deals_frame",
    "dependency_matrix",
    "duration_mismatch",
    "estimates_note",
    "exposures",
    "figure",
    "filter_deals",
    "find_cycles",
    "finn_cycling_index",
    "from_dataframes",
    "hhi",
    "how_sure",
    "keystones",
    "list_datasets",
    "load_dataset",
    "maximal_circulation",
    "money_firmness",
    "mutual_dependencies",
    "network_concentration",
    "null_model",
    "payment_schedule",
    "power_schedule",
    "read_companies",
    "read_deals",
    "sample_amounts",
    "select_companies",
    "self_funded",
    "semantics_table",
    "show",
    "significance",
    "stress_range",
    "stress_test",
    "summarize",
    "synthetic_network",
    "timeline",
    "to_dataframes",
    "to_html",
    "uncertainty",
    "us_capacity_additions",
    "validate_companies",
    "validate_deals",
    "validate_file",
    "write_companies",
    "write_deals",
    "write_gexf",
    "write_graphml",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flowgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .graph import (
        build_graph,
        check_company,
        collapse,
        filter_deals,
        from_dataframes,
        to_dataframes,
        write_gexf,
        write_graphml,
    )
    from .io import (
        Dataset,
        ValidationReport,
        list_datasets,
        load_dataset,
        read_companies,
        read_deals,
        validate_companies,
        validate_deals,
        validate_file,
        write_companies,
        write_deals,
    )
    from .concentration import (
        NetworkConcentration,
        centrality,
        commitments,
        company_concentration,
        dependency_matrix,
        hhi,
        mutual_dependencies,
        network_concentration,
    )
    from .cycles import CycleResult, cycle_participation, cycles_from_arrays, find_cycles
    from .schedule import (
        MeansResult,
        PowerSchedule,
        Schedule,
        against_means,
        duration_mismatch,
        payment_schedule,
        power_schedule,
        us_capacity_additions,
    )
    from .timelines import TimelineResult, timeline
    from .exposure import CompanyExposure, company_exposure, exposures, semantics_table
    from .stress import StressRange, StressResult, stress_range, stress_test
    from .html import to_html
    from .report import Report, write_report
    from .circulation import (
        CirculationResult,
        CompanyCirculationResult,
        FinnResult,
        KeystoneResult,
        SelfFundedResult,
        company_circulation,
        finn_cycling_index,
        keystones,
        maximal_circulation,
        self_funded,
    )
    from .synthetic import SyntheticNetwork, synthetic_network
    from .summary import Summary, deals_frame, summarize
    from .selection import select_companies
    from .profile import CompanyProfile, company_profile
    from .figures import FigureResult, figure
    from ._notebook import GraphView, show
    from .firmness import MoneyFirmness, estimates_note, money_firmness
