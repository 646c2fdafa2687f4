"""The stages of one dataset run and the one sequence that runs them.

A stage is a plain function of a :class:`~popsync.pipeline.run.DatasetRun` and the typed
results so far (:mod:`popsync.pipeline.results`); :func:`popsync.pipeline.sequence.run_dataset`
runs them in order, and the DAG factory in ``popsync.airflow`` turns each into a task. This
package imports nothing from Airflow.
"""
