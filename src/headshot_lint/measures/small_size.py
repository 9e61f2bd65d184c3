"""Face-versus-background contrast as a viewer sees it at thumbnail sizes.

Profile photos are mostly seen tiny: Instagram's 32 px circle, LinkedIn's 48 px
notification square. Downsampling averages texture away, so what is left is the
low-frequency difference between the face and what surrounds it. This measure
renders those thumbnails as the profile picture is cropped and compares the face
with the rest of the picture there.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np

from .. import color
from ..model import Measurement, Region
from ..scene import PERSON_FIRM, Scene
from . import measure
from ._learned import heads_dir
from ._palette import advised_tone
from ._views import HalfView, half_view, masked_sample, profile_crop, skin_lab, subject_head, thumbnails, tint

#: A background pixel "melts" into the face within this many L* of the face's lightness.
MELT_L = 10.0
#: The fitted weights of :func:`evidence` (``benchmarks/fit_subject.py --write``).
#: The fitted weights (``rules/heads/low_contrast.json``, written by ``benchmarks/fit_subject.py --write``).
WEIGHTS = "low_contrast"
#: Thumbnail pixels covered by the face less than this are not face (its soft edge is neither).
_NOT_FACE = 0.1
#: The background "right beside the head" reaches this many face widths from the
#: person's outline (the reported WCAG ratio).
NEAR_FACE_WIDTHS = 0.3


@measure("small_size_contrast",
          units={"stands_out": "probability", "evidence": "log-odds", "melted_48": "fraction", "melted_32": "fraction",
                 "background_delta_e_48": "ΔE2000", "background_delta_e_32": "ΔE2000",
                 "delta_l_near": "ΔL*", "contrast_near": "ratio"},
          details=("recommended_hex", "recommended_name", "crop_px", "impression"), data=(f"heads/{WEIGHTS}.json",))
def small_size_contrast(scene: Scene) -> Measurement:
    """How likely people see the face stand out in the small profile picture, in [0, 1].

    Values
    ------
    stands_out : ``1 - sigmoid(evidence)`` (what the rule judges; lower is worse): the
        fitted probability that people would not call the face low-contrast at 32 px.
    evidence : ``b0 + w_melted * melted_48 + w_delta_e * background_delta_e_48`` with the
        weights of ``rules/heads/low_contrast.json``, log-odds that people call the face low-contrast.
    melted_48, melted_32 : share of the background in the 48 px square (the 32 px
        circle) within ``MELT_L`` L* of the face's lightness: how much of what
        surrounds the face is the face's own brightness, [0, 1].
    background_delta_e_48, background_delta_e_32 : median CIEDE2000 difference between
        the face's mean colour and each background pixel there, >= 0.
    delta_l_near : |median skin L* - median L* of the background right beside the
        head| at full size, [0, 100] (only with visible skin and background there).
    contrast_near : WCAG contrast ratio of those two, reported for the user, [1, 21].

    Notes
    -----
    The thumbnails are the profile-picture crop as the labelled photos' raters saw it
    (:func:`~._views.thumbnails`: a square centred on the face box, 2.6 times its larger
    side, area-averaged to 32 and 48 px). The face is the hull of the face mesh (an
    ellipse in the face box for a silhouette or a face the mesh misses); its lightness
    is the median facial skin's L* (the face's thumbnail mean without visible skin).
    The background is what the person matte leaves out; hair, a hood or clothes are
    neither face nor background, so a dark frame around a pale face on a pale wall is
    not counted as melting. Both values are per pixel rather than of mean colours, so
    the photo's own texture counts: a busy scene with much of the face's brightness
    melts more than a plain one of another tone, and one bright window does not
    rescue a face lost against the rest.

    Without a detected face (a silhouette against the light, a face turned away) the crop
    centres on the head read off the person matte (:func:`~._views.head_box`: the top of the
    largest person, its width from the top 15 % of the figure) and the face is an ellipse
    in it; a person the frame's top edge cuts has no head to judge. On the labelled photos
    this judges 9 of the 16 photos that had no face found, with the weights fitted on the
    others unchanged: 2 of the 6 that people call low-contrast flagged (a dark figure on a
    dark ground), none of the other 7 (silhouettes on bright skies); 7 are still not judged
    (3 garment shots cut at the neck, 4 with no person on the matte).

    On the 321 labelled photos (``benchmarks/fit_subject.py``, mean over five fold
    shuffles) the two together gave a nested-CV F1 of 0.55, against 0.49-0.50 for
    either alone, 0.43 for the WCAG ratio beside the head that the rule judged before,
    0.46 for the same values on the 32 px circle, 0.50-0.51 for the median colour
    difference to everything that is not face (hair and clothes counted as
    separation), 0.40-0.42 across the face's outline, and 0.51-0.54 with a third
    value added (another face in the crop, a dark face, the background's texture).
    ``benchmarks/probe_small_size.py`` measured more views of the thumbnails, none
    better than the two values (nested F1 0.55 +/- 0.01 over ten fold shuffles): the
    thumbnail's lightness spread, rings and directions just outside the face, the head's
    outline, a flood fill of face-coloured pixels, hue, a dark frame, saliency (alone
    0.35-0.52; each added to the two 0.45-0.56, forward selection in the folds 0.46-0.47);
    MediaPipe's face detector and mesh on the thumbnails upscaled (AUC 0.51-0.59: it finds
    faces people call lost as readily as others); and an EfficientNet-Lite0 head on the
    48 px square itself (0.43-0.44). Group photos are judged on the main face.

    References
    ----------
    WCAG 2.x contrast ratio (SC 1.4.11). CIEDE2000: RESEARCH.md section 6. Guide: "At
    32px, a face against a similar-toned background becomes a blur."
    """
    name = "small_size_contrast"
    head = subject_head(scene)
    if head is None:
        return Measurement.not_assessable(name, "no face or head: contrast is measured between face and background")
    skin_l = float(skin_lab(scene)[0]) if scene.face is not None and scene.skin_mask.sum() >= 20 else None
    values: dict[str, float] = {}
    for size, thumb in thumbnails(scene).items():
        face = (thumb.face >= 0.5) & thumb.visible
        if face.sum() < 2:  # a tiny face: accept mixed pixels
            face = (thumb.face >= 0.25) & thumb.visible
        background = thumb.visible & (thumb.person < PERSON_FIRM) & (thumb.face < _NOT_FACE)
        if background.sum() < 4:  # the person fills the picture: whatever is not face surrounds it
            background = thumb.visible & (thumb.face < _NOT_FACE)
        if face.sum() < 1 or background.sum() < 4:
            return Measurement.not_assessable(name, "the face fills the profile picture: there is no surround to compare")
        face_lab = thumb.lab[face].mean(axis=0)
        px = thumb.lab[background]
        lightness = skin_l if skin_l is not None else float(face_lab[0])
        values[f"melted_{size}"] = float((np.abs(px[:, 0] - lightness) < MELT_L).mean())
        values[f"background_delta_e_{size}"] = float(np.median(color.delta_e(px, np.broadcast_to(face_lab, px.shape))))
    values["evidence"] = evidence(values["melted_48"], values["background_delta_e_48"])
    values["stands_out"] = 1.0 / (1.0 + math.exp(values["evidence"]))
    near = _near_contrast(scene)
    if near is not None:
        values["delta_l_near"], values["contrast_near"] = near
    values = {k: round(float(v), 3) for k, v in values.items()}
    tone = advised_tone(scene)
    x0, y0, side = profile_crop(scene)
    regions = (
        Region.from_pixels(x0, y0, x0 + side, y0 + side, scene.width, scene.height, "profile picture crop"),
        Region.from_pixels(*head, scene.width, scene.height, "face" if scene.face is not None else "head (no face found)"),
    )
    return Measurement(name, values, regions=regions,
                       details={"recommended_hex": tone.hex, "recommended_name": tone.name,
                                "crop_px": [int(x0), int(y0), int(side)],
                                "impression": impression(values["stands_out"], values["melted_48"],
                                                         face_found=scene.face is not None,
                                                         monochrome=tint(scene) is not None)})


def impression(stands_out: float, melted_48: float, face_found: bool = True, monochrome: bool = False) -> str:
    """What a viewer of the small picture sees, in words, as strong as the judgement: "melts"
    only where people more likely than not call the face lost (``stands_out`` < 0.5); near
    the rule's threshold (~0.77) the face "barely stands out" and people "may not" pick it
    out (a face flagged with a fifth of its surround at its lightness did not melt). Without
    a detected face the judged region is the head read off the person matte, and the
    words say "head" (the no-face finding already says no face was found). A black-and-white
    photo has no colour to be close in."""
    part = "face" if face_found else "head"
    if stands_out < 0.5:
        return (f"your {part} melts into the background: {melted_48:.0%} of the background around it at 48 px "
                f"is about as light or dark as your {part}, so people scrolling past will not pick it out")
    return (f"your {part} barely stands out: the background around it at 48 px is close to it in "
            f"{'lightness' if monochrome else 'colour and lightness'}, so people scrolling past may not pick it out")


@functools.lru_cache(maxsize=1)
def _weights() -> dict[str, float]:
    doc = json.loads((heads_dir() / f"{WEIGHTS}.json").read_text(encoding="utf-8"))
    return {k: float(v) for k, v in doc["weights"].items()}


def evidence(melted_48: float, background_delta_e_48: float) -> float:
    """Log-odds that people call the face low-contrast, from the two 48 px values (weights
    fitted on labelled photos, ``rules/heads/low_contrast.json``)."""
    w = _weights()
    return w["b0"] + w["melted_48"] * melted_48 + w["background_delta_e_48"] * background_delta_e_48


def _near_contrast(scene: Scene) -> tuple[float, float] | None:
    """(ΔL*, WCAG ratio) between the median skin and the median background right beside
    the head; None without measurable skin or background there."""
    if scene.face is None or scene.skin_mask.sum() < 20 or scene.head_ring.sum() < 50:
        return None
    view = half_view(scene)
    near = _near_head(scene, view)
    if not near.any():
        return None
    skin_l = float(skin_lab(scene)[0])
    near_l = float(np.median(masked_sample(view.lab, near, 10000, channel=0)))
    return abs(skin_l - near_l), color.contrast_ratio(color.lightness_to_luminance(skin_l),
                                                      color.lightness_to_luminance(near_l))


def _near_head(scene: Scene, view: HalfView) -> np.ndarray:
    """Background within ``NEAR_FACE_WIDTHS`` of the person, from 0.7 face heights above
    the face to 0.3 below it, bool at the half-size ``view``'s size; the head ring if
    that is nearly empty."""
    b, f = scene.face.box, view.factor
    near = (view.outside <= NEAR_FACE_WIDTHS * b.width / f) & view.background
    near[:max(int((b.y0 - 0.7 * b.height) / f), 0)] = False
    near[max(int((b.y1 + 0.3 * b.height) / f), 0):] = False
    if near.sum() >= 8:
        return near
    h, w = near.shape
    ring = scene.head_ring[:h * f:f, :w * f:f]
    return ring if ring.any() else near
