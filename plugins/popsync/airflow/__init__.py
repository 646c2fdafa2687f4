"""Airflow glue: DAGs built from the declarative sector definitions."""
