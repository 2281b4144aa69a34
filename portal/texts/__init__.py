"""Texts shared by pages and e-mails: labels, provider names, run error explanations, language names."""
