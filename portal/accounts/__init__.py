"""Logins: who may sign in, and how often a password may be guessed."""
