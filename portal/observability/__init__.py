"""What operators see of Flexsync: structured logs, health probes and Prometheus metrics."""
