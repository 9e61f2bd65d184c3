"""The public surface is deliberate: __all__ is exactly the public names."""

import headshot_lint


def test_all_lists_exactly_the_public_names():
    """Every public name of the package is in __all__ and vice versa."""
    public = {n for n in dir(headshot_lint) if not n.startswith("_") or n == "__version__"}
    modules = {n for n in public if type(getattr(headshot_lint, n)).__name__ == "module"}
    assert sorted(public - modules) == sorted(headshot_lint.__all__)


def test_audit_is_exported():
    """audit, audit_many, Report, Finding and Measurement come from the top level."""
    for name in ("audit", "audit_many", "Report", "Finding", "Measurement"):
        assert name in headshot_lint.__all__
