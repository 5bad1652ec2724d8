"""Reading the Prometheus exposition the tests scrape."""

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) → value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    """A sample's value; 0 when absent (a counter that never moved has no sample)."""
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)
