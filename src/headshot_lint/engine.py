"""Engine: runs the measures the selected rules need, applies the rules, scores.

Overall score (documented in the README): learned from the three-rater verdicts
(:func:`learned_score`). An ordinal logistic regression (poor < fair < good: one direction,
two cut points) reads the log-odds of two verdict heads on the background embedding and
every built-in rule's quality, and the score is ``50 * (1 + p_good - p_poor)``; the verdict
bands in ``model.py`` cut it into good / fair / poor. ``benchmarks/fit_heads.py`` fits both by
nested cross-validation: agreement with the verdicts 0.77, against 0.66 for the former rule score
(:func:`overall_score`, ``0.5 * min(q) + 0.5 * mean(q)`` of the rule qualities, input checks
counted only when they fail), kept as the baseline it is measured against and as the score
of a selection without the learned background rules (HL101-HL103: ``--select HL501`` asks
about contrast alone). A failed input check (no face, several faces, turned) and a rule the
learned score does not know (a company pack's) cap it at their own quality. An unreadable
photo scores 0.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Iterable, Iterator, Mapping, Sequence, Union
import os

import numpy as np

from ._templates import fill
from .errors import HeadshotLintError, LoadError, PerceptionError, cause_of
from .load import Photo, load
from .measures import call, specs
from .measures._learned import verdict_stack
from .model import ERROR, INFO, NOT_ASSESSABLE, SEVERITIES, WARNING, Finding, Fix, Measurement, Report, Skipped
from .rules import LOAD_MEASURE, Rule, RulePack, load_pack
from .scene import Scene

Source = Union[str, "os.PathLike[str]", bytes, np.ndarray]



def audit(source: Source, *, pack: RulePack | str | None = None, select: Sequence[str] | None = None,
          ignore: Sequence[str] | None = None, rules: Sequence[Rule] | None = None) -> Report:
    """Audit one photo: a path, encoded bytes or an RGB array.

    Never raises for a bad photo: an unreadable file becomes an ``unreadable-image``
    finding. Raises :class:`~headshot_lint.errors.RulePackError` for a bad pack or
    selection (a usage error, not a photo's fault).
    """
    chosen = tuple(rules) if rules is not None else _resolve(pack).select(select, ignore)
    label = _label(source)
    try:
        photo = load(source)
    except LoadError as exc:
        return unreadable_report(label, chosen, f"{exc}", exc.kind, advice=exc.advice)
    try:
        return _judge(label, photo, chosen)
    except PerceptionError as exc:
        return unreadable_report(label, chosen, f"analysis failed: {exc}", "perception-failed")


def audit_guarded(source: Source, *, rules: Sequence[Rule]) -> Report:
    """:func:`audit`, but a bug in a measure (any exception) becomes an ``unreadable-image``
    report (:func:`crash_report`) instead of ending the batch: what the Dask tasks run."""
    try:
        return audit(source, rules=rules)
    except Exception as exc:
        return crash_report(_label(source), rules, exc)


def crash_report(label: str, rules: Sequence[Rule], exc: Exception, out_of_memory: str | None = None) -> Report:
    """The report of a photo whose audit raised ``exc``: ``internal-error`` naming it, or, given
    ``out_of_memory`` (a pool worker's words for its memory ceiling), ``out-of-memory`` for a
    MemoryError. The one wording for the pool's workers and the Dask tasks."""
    if out_of_memory is not None and isinstance(exc, MemoryError):
        return unreadable_report(label, rules, out_of_memory, "out-of-memory")
    return unreadable_report(label, rules, f"internal error: {type(exc).__name__}: {exc}", "internal-error")


def audit_many(sources: Iterable[Source], **kwargs: Any) -> Iterator[Report]:
    """Audit photos one after another, in order (see :func:`audit` for the options)."""
    pack = kwargs.pop("pack", None)
    rules = kwargs.pop("rules", None)
    if rules is None:
        rules = _resolve(pack).select(kwargs.pop("select", None), kwargs.pop("ignore", None))
    for source in sources:
        yield audit(source, rules=rules)


def _resolve(pack: RulePack | str | None) -> RulePack:
    return pack if isinstance(pack, RulePack) else _cached_pack(pack or "default")


@functools.lru_cache(maxsize=8)
def _cached_pack(name: str) -> RulePack:
    """Packs by name, loaded once per process: audit() in a loop must not re-read TOML."""
    return load_pack(name)


def _label(source: Source) -> str:
    if isinstance(source, np.ndarray):
        return "<array>"
    if isinstance(source, (bytes, bytearray)):
        return "<bytes>"
    return os.fsdecode(source)


def analyse(photo: Photo, rules: Sequence[Rule], label: str | None = None) -> tuple[Report, Scene]:
    """The report of a loaded photo and the Scene its measures read (``fix`` reuses its
    faces and matte instead of perceiving the photo again). Raises
    :class:`~headshot_lint.errors.PerceptionError` where :func:`audit` reports it."""
    scene = _upright_scene(photo)
    return _judge(photo.source if label is None else label, photo, rules, scene), scene


def _judge(label: str, photo: Photo, rules: Sequence[Rule], scene: Scene | None = None) -> Report:
    scene = _upright_scene(photo) if scene is None else scene
    measures = specs()
    cache: dict[str, Measurement] = {}
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    scores: dict[str, float] = {}
    for rule in rules:
        if rule.measure == LOAD_MEASURE:
            scores[rule.name] = 100.0
            continue
        if rule.measure not in cache:
            spec = measures.get(rule.measure)
            if spec is None:  # only a Rule built by hand gets here: load_pack checks every rule file
                raise HeadshotLintError(f"{rule.source}: measure {rule.measure!r} does not exist")
            cache[rule.measure] = _in_stored_frame(call(spec, scene), scene.turned)
        m = cache[rule.measure]
        if m.status == NOT_ASSESSABLE:
            skipped.append(Skipped(rule.code, rule.name, m.reason))
            continue
        if rule.value not in m.values:
            skipped.append(Skipped(rule.code, rule.name, f"measure {m.name} gave no {rule.value!r}"))
            continue
        value = float(m.values[rule.value])
        score = round(rule.score(value), 1)
        scores[rule.name] = score
        severity = rule.severity_of(value)
        if severity is not None:
            findings.append(_finding(rule, m, value, severity, score))
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.score, f.code))
    size = photo.original_size
    if any(r.name in verdict_stack().learned_rules for r in rules):
        failed_inputs = {r.name for r in rules if r.input_check and scores.get(r.name, 100.0) < 100.0}
        score = learned_score(scores, scene, failed_inputs)
    else:  # a selection without the background-content rules asks about those rules alone
        inputs = {r.name for r in rules if r.input_check}
        score = overall_score(q for name, q in scores.items() if q < 100.0 or name not in inputs)
    return Report(path=label, score=score, scores=scores, findings=tuple(findings),
                  skipped=tuple(skipped), size=size, analysis_size=(photo.rgb.shape[1], photo.rgb.shape[0]),
                  measurements=cache)


def _upright_scene(photo: Photo) -> Scene:
    """The scene every measure reads: the photo as stored, or, when its face is only
    recognised turned (``Scene.upright_turns``: pixels stored sideways with no EXIF
    orientation), the photo turned upright. "Below the chin", "above the person's
    middle" and the segmenter all assume an upright person."""
    scene = Scene(photo)
    turns = scene.upright_turns
    if not turns:
        return scene
    rgb = np.ascontiguousarray(np.rot90(photo.rgb, turns))
    rgb.flags.writeable = False
    w, h = photo.original_size
    upright = Photo(rgb, (h, w) if turns % 2 else (w, h), photo.source, photo.format)
    return Scene(upright, turned=turns)


def _in_stored_frame(m: Measurement, turns: int) -> Measurement:
    """``m`` with its evidence regions in the stored photo's frame (for overlays)."""
    if not turns or not m.regions:
        return m
    return dataclasses.replace(m, regions=tuple(r.unturned(turns) for r in m.regions))


def learned_score(qualities: Mapping[str, float], scene: Scene, caps: Iterable[str] = ()) -> float:
    """The overall score in [0, 100]: what people would make of the photo, learned from the
    three-rater verdicts (``rules/heads/verdict.json``) over the verdict heads and the built-in
    rules' qualities (a rule not selected, or that could not judge, counts as passing). The
    rules named in ``caps`` (the engine passes the failed input checks: no face, several faces,
    turned; a plain wall with no one in front of it is no headshot) and any rule the learned
    score does not know (a company pack's) cap it at their own quality."""
    stack = verdict_stack()
    learned = stack.quality(scene, dict(qualities))
    capping = [q for name, q in qualities.items() if name in caps or name not in stack.rules]
    return round(min([learned, *capping]), 1)


def overall_score(scores: Iterable[float]) -> float:
    """The former overall score, now the baseline the learned one is measured against: ``0.5 *
    min + 0.5 * mean`` of rule qualities (100 if none), in [0, 100]."""
    q = list(scores)
    if not q:
        return 100.0
    return round(0.5 * min(q) + 0.5 * sum(q) / len(q), 1)


def _finding(rule: Rule, m: Measurement, value: float, severity: str, score: float) -> Finding:
    threshold = {ERROR: rule.error, WARNING: rule.warning, INFO: rule.info}[severity]
    fields = {**m.details, **m.values, "value": value, "threshold": threshold, "to_pass": _to_pass(rule),
              "unit": rule.unit, "severity": severity}
    params = {k: fields[k] for k in rule.fix.params if k in fields}
    fix = Fix(title=_format(rule.fix_title, fields), action=rule.fix.action, params=params,
              safety=rule.fix.safety)
    return Finding(code=rule.code, rule=rule.name, severity=severity, score=score, value=round(value, 3),
                   unit=rule.unit, threshold=threshold, message=_sentence(_format(rule.message, fields)), fix=fix,
                   values=dict(m.values), regions=m.regions, detail=_format(rule.detail, fields))


def _to_pass(rule: Rule) -> float | None:
    """What it takes to pass: the mildest threshold (info, else warning, else error)."""
    return next((t for t in (rule.info, rule.warning, rule.error) if t is not None), None)


def _format(template: str, fields: Mapping[str, Any]) -> str:
    """The template filled in (see :mod:`._templates`: value and thresholds never print alike)."""
    return fill(template, fields)


def _sentence(message: str) -> str:
    """A message as a sentence: capitalised, also where its template opens with a phrase a
    measure gives ("a watermark in a corner of the photo: people read ...")."""
    return message[:1].upper() + message[1:]


def unreadable_report(label: str, rules: Sequence[Rule], message: str, kind: str,
                      advice: str | None = None) -> Report:
    """The report of a photo that could not be analysed (unreadable, timed out, worker
    died): an ``unreadable-image`` finding saying why in a person's words (the ``kind``'s
    :class:`~.errors.Cause`, with ``message`` as its detail), every other rule skipped."""
    rule = next((r for r in rules if r.measure == LOAD_MEASURE), None)
    findings: tuple[Finding, ...] = ()
    scores: dict[str, float] = {}
    if rule is not None:
        scores[rule.name] = 0.0
        cause = cause_of(kind)
        fields = {"value": 1.0, "threshold": rule.error, "to_pass": rule.error, "unit": rule.unit,
                  "severity": ERROR, "reason": message, "kind": kind, "problem": cause.problem,
                  "advice": advice or cause.advice}
        findings = (Finding(code=rule.code, rule=rule.name, severity=ERROR, score=0.0, value=None, unit="",
                            threshold=None, message=_format(rule.message, fields),
                            fix=Fix(title=_format(rule.fix_title, fields), action="", safety="none"),
                            values={}, regions=(), detail=_format(rule.detail, fields)),)
    skipped = tuple(Skipped(r.code, r.name, "the image could not be read") for r in rules if r is not rule)
    return Report(path=label, score=0.0, scores=scores, findings=findings, skipped=skipped)
