"""The sync pipeline's stages: extract, normalise, reconcile, validate, publish, metrics.

Each stage is a plain function of a :class:`~popsync.pipeline.run.DatasetRun`; the DAG
factory wraps them in Airflow tasks and the benchmark calls them directly.
"""
