"""``popsync generate`` and ``popsync evaluate``: demo data and its ground-truth score."""

import argparse

from popsync.settings import get_settings


def generate_options(args: argparse.Namespace) -> object:
    from popsync.generate import FaultRates, GenerateOptions

    sectors = tuple(args.sectors.split(",")) if args.sectors else GenerateOptions().sectors
    return GenerateOptions(
        persons=args.persons, seed=args.seed, sectors=sectors, rates=FaultRates(), replace=args.replace
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from popsync.db.databases import ensure_server
    from popsync.generate import generate, validate_options

    options = generate_options(args)
    validate_options(options)  # type: ignore[arg-type]
    server = ensure_server(get_settings())
    report = generate(options, server)  # type: ignore[arg-type]
    print(report.summary())
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from popsync.generate.evaluate import evaluate_dataset, format_evaluation, ground_truth_gap
    from popsync.local.bootstrap import bootstrap
    from popsync.sectors import load_sectors

    bootstrap(get_settings(), migrate_airflow=False)
    perfect, scored = True, 0
    for sector in load_sectors():
        for dataset in sector.datasets:
            gap = ground_truth_gap(sector, dataset.name)
            if gap is not None:
                print(f"{sector.sector}.{dataset.name}: not scored: {gap}")
                continue
            result = evaluate_dataset(sector, dataset.name)
            print(format_evaluation(result))
            perfect, scored = perfect and result.perfect, scored + 1
    if scored == 0:
        print("\nnothing to score: no dataset has ground truth (run `popsync generate` for demo data)")
        return 0
    print("\nall reason codes at precision = recall = 1.000" if perfect else "\nDISAGREEMENTS FOUND (see above)")
    return 0 if perfect else 1
