"""Worked hours: the register of shifts, reading a CSV of them, the rules of what goes to
Connexie, and the export itself."""
