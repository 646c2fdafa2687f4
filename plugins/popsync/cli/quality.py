"""``popsync quality suite|catalog|docs``: the Expectation Suites, GX's expectation catalog, Data Docs."""

import argparse
import json
import sys
from typing import Any


def add_quality_parser(commands: Any) -> None:
    quality = commands.add_parser("quality", help="Great Expectations suites, catalog and Data Docs")
    actions = quality.add_subparsers(dest="quality_action", required=True)
    suite = actions.add_parser("suite", help="print a dataset's Expectation Suite (GX JSON)")
    suite.add_argument("sector")
    suite.add_argument("dataset")
    catalog = actions.add_parser(
        "catalog", help="compare (or --write) the checked-in list of GX expectations with the installed GX"
    )
    catalog.add_argument("--write", action="store_true", help="regenerate the list from the installed GX")
    actions.add_parser("docs", help="build the Data Docs of every published run's validation")


def _suite(args: argparse.Namespace) -> int:
    from popsync.quality.suites import dataset_suite
    from popsync.sectors import load_sectors

    sectors = {sector.sector: sector for sector in load_sectors()}
    sector = sectors.get(args.sector)
    if sector is None:
        raise ValueError(f"unknown sector {args.sector!r}; sectors: {', '.join(sorted(sectors))}")
    datasets = {dataset.name: dataset for dataset in sector.datasets}
    dataset = datasets.get(args.dataset)
    if dataset is None:
        raise ValueError(f"unknown dataset {args.dataset!r} of {args.sector}; datasets: {', '.join(sorted(datasets))}")
    print(json.dumps(dataset_suite(sector, dataset), ensure_ascii=False, indent=2))
    return 0


def _catalog(args: argparse.Namespace) -> int:
    from popsync.sectors.gx_catalog import CATALOG_FILE, installed_catalog, write_catalog

    if args.write:
        print(write_catalog())
        return 0
    checked_in = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    if checked_in == installed_catalog():
        print(f"{CATALOG_FILE} matches the installed Great Expectations")
        return 0
    print(f"{CATALOG_FILE} differs from the installed Great Expectations; run `popsync quality catalog --write`")
    return 1


def _docs(_: argparse.Namespace) -> int:
    from popsync.quality.data_docs import build_published_docs

    index = build_published_docs()
    print(index if index is not None else "no validation results yet", file=sys.stdout)
    return 0


def run_quality(args: argparse.Namespace) -> int:
    return {"suite": _suite, "catalog": _catalog, "docs": _docs}[args.quality_action](args)
