"""Worked hours: reading a CSV of shifts, the rules of what goes to Connexie, and the export itself."""
