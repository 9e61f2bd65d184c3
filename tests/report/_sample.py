"""Synthetic Reports for renderer tests (no analysis runs)."""

from __future__ import annotations

from headshot_lint.model import ERROR, INFO, WARNING, Finding, Fix, Region, Report, Skipped
from headshot_lint.rules import load_pack


def rules():
    """The default pack's selected rules."""
    return load_pack("default").select()


def finding(code: str, severity: str = ERROR) -> Finding:
    rule = next(r for r in rules() if r.code == code)
    return Finding(code=code, rule=rule.name, severity=severity, score=20.0, value=5.0, unit=rule.unit,
                   threshold=12.0, message=f"{rule.name} failed", fix=Fix("Do better", "", {}, "none"),
                   values={"delta": 5.0}, regions=(Region(0.2, 0.1, 0.6, 0.5, "face"),))


def reports():
    """A failing photo (error + warning + info), a clean one, one with a non-UTF-8 name."""
    rs = rules()
    codes = [r.code for r in rs]
    bad = Report(path="team/ann.jpg", score=30.0, scores={r.name: 50.0 for r in rs},
                 findings=(finding(codes[-1], ERROR), finding(codes[-2], WARNING), finding(codes[-3], INFO)),
                 skipped=(Skipped(codes[1], rs[1].name, "no face"),), size=(1200, 1600), analysis_size=(480, 640))
    good = Report(path="team/bob.png", score=95.0, scores={r.name: 95.0 for r in rs}, findings=(),
                  size=(800, 800), analysis_size=(640, 640))
    odd = Report(path=b"team/caf\xe9.jpg".decode("utf-8", "surrogateescape"), score=30.0,
                 scores={r.name: 50.0 for r in rs}, findings=(finding(codes[-1], ERROR),), size=(640, 480),
                 analysis_size=(640, 480))
    return [bad, good, odd]
