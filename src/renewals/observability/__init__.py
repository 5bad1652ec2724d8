"""What operators see: Prometheus metrics, OpenTelemetry traces, request logs.

Cross-cutting and dependency-light: the domain never imports it; services and persistence call
its one-line hooks (`metrics.…`, `tracing.…`), which cost next to nothing when switched off.
"""
