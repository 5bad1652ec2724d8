"""The renewals benchmark suite (issue 4): `python -m bench`, see bench/README.md."""
