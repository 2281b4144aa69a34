"""Integrations: which providers a company may use, activating one, the selection window, token refreshes."""
