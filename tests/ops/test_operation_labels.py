"""Operation names are client-chosen: only validated ones, cut, bounded in number."""

from renewals.observability import metrics


def test_names_are_cut_cleaned_and_capped(monkeypatch):
    monkeypatch.setattr(metrics, "_names", set())
    assert metrics.operation_label("Anything", validated=False) == "(refused)"
    assert metrics.operation_label(None, validated=True) == "(anonymous)"
    assert metrics.operation_label("x" * 100, validated=True) == "x" * 64
    assert metrics.operation_label('a"b{c}', validated=True) == "a_b_c_"
    for i in range(metrics.MAX_NAMES):
        metrics.operation_label(f"Op{i}", validated=True)
    assert metrics.operation_label("OneTooMany", validated=True) == "other"
    assert metrics.operation_label("Op3", validated=True) == "Op3"  # known names still count
