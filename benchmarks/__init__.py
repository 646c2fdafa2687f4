"""Benchmarks: popsync side by side with the pandas and datacompy ways of doing the job."""
