"""popsync."""
