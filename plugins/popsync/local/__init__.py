"""Running Airflow on one machine: the environment, set-up, the services and the job that drives them.

An edge like ``airflow/`` (it knows Airflow), apart from the DAG factories: ``popsync run`` and
``scripts/ui.sh`` use it; the production stack does not.
"""
