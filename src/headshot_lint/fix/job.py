"""One photo through ``fix``: the pipeline the command and the page share."""

from __future__ import annotations

from typing import Any, Sequence, Tuple

import numpy as np

from ..scene import Scene
from .attempts import Correction, correct
from .plan import PlannedFix, plan

class Job:
    """One photo through ``fix``, as the command and the page run it: the file read once,
    decoded once at analysis size for the audit (whose Scene, faces and matte, the
    correction reuses) and once at full resolution for the pixels; planned, corrected,
    checked and re-audited (:func:`correct`).

    ``report`` is the audit of the original (an ``unreadable-image`` report when it cannot
    be read: then ``size`` is None and nothing else is available).
    """

    def __init__(self, source: Any, rules: Sequence[Any], *, unsafe: bool = False,
                 only: Sequence[str] | None = None, label: str | None = None) -> None:
        from ..engine import analyse, unreadable_report
        from ..errors import LoadError, PerceptionError
        from ..load import load

        self.rules = tuple(rules)
        self.source = _read_once(source)
        name = label or (source if isinstance(source, str) else
                         "<bytes>" if isinstance(source, (bytes, bytearray, memoryview)) else str(source))
        self.scene: Scene | None = None
        try:
            photo = load(self.source)
            self.report, scene = analyse(photo, self.rules, name)
            # The audit looks at a sideways photo upright; the fix works in the stored frame.
            self.scene = scene if not scene.turned else Scene(photo)
        except LoadError as exc:
            self.report = unreadable_report(name, self.rules, f"{exc}", exc.kind, advice=exc.advice)
        except PerceptionError as exc:
            self.report = unreadable_report(name, self.rules, f"analysis failed: {exc}", "perception-failed")
        self.planned = plan(self.report.findings, unsafe=unsafe, only=only)
        self._full: Tuple[np.ndarray, Any] | None = None

    @property
    def readable(self) -> bool:
        """The photo could be read and analysed."""
        return self.scene is not None

    @property
    def todo(self) -> Tuple[PlannedFix, ...]:
        """The actions that will run."""
        return tuple(p for p in self.planned if p.applies)

    @property
    def meta(self) -> Any:
        """What the writer needs (:class:`~headshot_lint.load.ImageMeta`); decodes the full
        resolution pixels on first use. Raises :class:`~headshot_lint.errors.LoadError`."""
        return self._pixels()[1]

    def _pixels(self) -> Tuple[np.ndarray, Any]:
        if self._full is None:
            from ..load import load_full

            self._full = load_full(self.source)
        return self._full

    def correct(self, fmt: str, *, backdrop: str = "flat") -> Correction:
        """The corrected copy encoded as ``fmt`` (a Pillow format name), checked and
        re-audited; see :func:`correct`. Raises :class:`~headshot_lint.errors.LoadError`."""
        from ..retouch.write import encode

        rgb, meta = self._pixels()
        assert self.scene is not None, "correct() of an unreadable photo"
        return correct(self.todo, rgb, self.scene, backdrop=backdrop, encode=lambda px: encode(px, meta, fmt),
                       before=self.report, rules=self.rules)

    def original(self) -> np.ndarray:
        """The full-resolution pixels of the original (for a before/after image)."""
        return self._pixels()[0]


def _read_once(source: Any) -> Any:
    """A path's bytes (read once, decoded twice); other sources as given. A path that
    cannot be read is passed on as is, so the loader names the problem."""
    import os

    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as fh:
                return fh.read()
        except OSError:
            return source
    return source
