"""Options are validated before anything is written."""

import datetime
from dataclasses import replace

import pytest

from popsync.generate import FaultRates, GenerateOptions, generate, validate_options

# Nothing listens here: a validation error must come before any connection attempt.
UNREACHABLE = "postgresql://nobody@127.0.0.1:9"


def test_defaults_are_valid() -> None:
    options = GenerateOptions()
    validate_options(options)
    assert options.persons == 50_000 and options.seed == 6 and not options.replace
    assert options.sectors == ("education", "health_insurance", "justice", "social_insurance")
    assert options.as_of == datetime.date.today()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (GenerateOptions(persons=-1), "persons"),
        (GenerateOptions(sectors=("education", "tax")), "unknown sector"),
        (GenerateOptions(coverage={"health_insurance.policies": 2.0}), "unknown coverage key"),
        (GenerateOptions(sectors=("justice",), coverage={"health_insurance.cards": 2.0}), "unknown coverage key"),
        (GenerateOptions(coverage={"health_insurance.cards": -0.5}), "coverage"),
        (GenerateOptions(chunk_size=0), "chunk_size"),
        (GenerateOptions(workers=0), "workers"),
        (GenerateOptions(seed=-3), "seed"),
    ],
)
def test_invalid_options_raise_before_anything_is_written(options: GenerateOptions, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_options(options)
    with pytest.raises(ValueError, match=message):
        generate(options, UNREACHABLE)


@pytest.mark.parametrize("rate", [1.5, -0.1, float("nan")])
def test_fault_rates_outside_zero_one_are_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="id_typo"):
        FaultRates(id_typo=rate)


def test_rates_are_checked_again_by_validate_options() -> None:
    rates = FaultRates()
    object.__setattr__(rates, "dob_invalid", 1.5)  # bypassing the constructor's check
    with pytest.raises(ValueError, match="dob_invalid"):
        generate(replace(GenerateOptions(), rates=rates), UNREACHABLE)


def test_no_faults_preset() -> None:
    assert all(value == 0.0 for value in vars(FaultRates.none()).values())
