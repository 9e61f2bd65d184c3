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


def test_region_unturned_undoes_quarter_turns():
    """A box of a photo turned k quarter turns maps back to where np.rot90 took it from; four turns are no turn."""
    import numpy as np

    from headshot_lint.model import Region

    stored = np.zeros((40, 80), bool)
    stored[4:12, 60:76] = True  # a box at x 0.75-0.95, y 0.1-0.3 of an 80 x 40 photo
    for k in range(4):
        turned = np.rot90(stored, k)
        ys, xs = np.nonzero(turned)
        h, w = turned.shape
        box = Region(xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h).unturned(k)
        assert np.allclose((box.x0, box.y0, box.x1, box.y1), (0.75, 0.1, 0.95, 0.3)), (k, box)
    r = Region(0.1, 0.2, 0.3, 0.6, "face")
    assert r.unturned(4) == r and r.unturned(1).unturned(3) == r
