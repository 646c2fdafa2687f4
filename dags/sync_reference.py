"""Mirror the population register into the warehouse and announce it as an Asset."""

from popsync.airflow.reference_dag import build_reference_dag

sync_reference = build_reference_dag()
