"""Employees after a sync: finding them, the decisions an admin takes, budgets and invitations."""
