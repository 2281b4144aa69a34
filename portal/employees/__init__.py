"""Employees after a sync: finding them, the decisions an admin takes, their personal
details, budgets and invitations."""
