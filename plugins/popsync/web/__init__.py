"""popsync's pages in the Airflow UI: a FastAPI app mounted by the plugin under ``/popsync``."""
