"""Demo, test and benchmark data: a population register and sector databases with known faults.

Every sector database also gets ``ground_truth.expected``: the reasons each record must
carry under docs/reconciliation-rules.md (never read by the pipeline).
"""

from popsync.generate.database import DatabaseExistsError
from popsync.generate.options import FaultRates, GenerateOptions, validate_options
from popsync.generate.report import GenerationReport
from popsync.generate.runner import generate

__all__ = ["DatabaseExistsError", "FaultRates", "GenerateOptions", "GenerationReport", "generate", "validate_options"]
