"""Errors that retrying cannot fix: the run stops and previous results stay published."""


class DataRejectedError(RuntimeError):
    """The run's data failed a check (conservation, a fail-level quality expectation)."""
