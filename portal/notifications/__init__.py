"""Notifications: what Flexsync tells an HR admin, such as the summary of a sync run."""
