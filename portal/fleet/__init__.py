"""Customer success's view of every company's integrations at once: which need help first
(`rows`), a provider failing for many companies (`outages`), and whether the background
work is carried out at all (`workers`, `nightly`)."""
