"""Sync runs: starting, carrying out and closing them, the store the engine writes through, and the summary admins get."""
