"""The registered action kinds: what each does to the pixels and says it did."""

from __future__ import annotations

from typing import Any, Mapping, Tuple

import numpy as np

from ..fix_check import Crop, other_faces, other_people, subject_box
from ..scene import Scene
from .canvas import Canvas, Skipped
from .plan import action

@action("replace-background", order=20, supersedes=("blur-background",),
        summary="replace the background with a flat or vignetted studio tone")
def _replace_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from ..retouch.background import replace_background

    if canvas.fallback.blur_for_replace:
        return _blur_background(canvas, {})
    _alone_or_cropped(canvas)
    hex_colour = str(params.get("recommended_hex") or _tone_for(canvas.scene))
    hex_colour, why = _keeping_the_outline(canvas.scene, hex_colour)
    style = "a studio vignette around" if canvas.backdrop == "gradient" else "a flat"
    canvas.notes.append(f"replaced the background with {style} {hex_colour.upper()}{why}")
    return replace_background(canvas.rgb, canvas.alpha, hex_colour, style=canvas.backdrop,
                              center=canvas.head_center())


def _tone_for(scene: Scene) -> str:
    """The guide's tone for this face and clothes when the finding did not carry one
    (medium grey without a measurable face)."""
    from ..measures._palette import advised_tone

    return advised_tone(scene).hex


def _keeping_the_outline(scene: Scene, hex_colour: str) -> Tuple[str, str]:
    """``hex_colour``, or the first tone for this face that keeps the body's outline visible
    when that one would not (``_palette.keeping_the_outline``, which the advice follows too):
    (hex, a note for people, "" when unchanged). A tone the finding carried is already the
    advised one; a colour from elsewhere (an older report's advice) is checked the same way."""
    from ..measures._palette import Tone, keeping_the_outline

    tone, planned, share = keeping_the_outline(scene, Tone("planned", hex_colour))
    if tone.hex == hex_colour:
        return hex_colour, ""
    return tone.hex, (f" ({tone.name}, not {hex_colour.upper()}, which would hide {100 * planned:.0f} % of your "
                      f"outline against your clothes; {tone.name} hides {100 * share:.0f} %)")


@action("blur-background", order=30, summary="lens-blur the background behind the person")
def _blur_background(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from ..measures.blur import MIN_BLUR_SIGMA_FRACTION
    from ..retouch.blur import DEFAULT_RADIUS_FRACTION, blur_background

    _alone_or_cropped(canvas)
    long_side = max(canvas.rgb.shape[:2])
    if params.get("blur_radius_px"):
        radius = float(params["blur_radius_px"])
    elif params.get("blur_sigma_px"):
        radius = 2.0 * float(params["blur_sigma_px"])  # a disc of radius r has sigma r / 2
    else:
        radius = DEFAULT_RADIUS_FRACTION * long_side
    radius = float(np.clip(radius, 2.0 * MIN_BLUR_SIGMA_FRACTION * long_side, 0.05 * long_side))
    radius = min(radius * canvas.fallback.blur_scale, MAX_BLUR_FRACTION * long_side)
    canvas.notes.append(f"blurred the background like a lens (a disc of {radius:.0f} px radius, "
                        f"{100 * radius / long_side:.1f} % of the long side)")
    return blur_background(canvas.rgb, canvas.alpha, radius)


def _alone_or_cropped(canvas: Canvas) -> None:
    """Raise :class:`Skipped` when other people share the photo and no crop will leave
    them out: a new or blurred background would cut them up or blur them away."""
    box = subject_box(canvas.scene)
    if box is None or not other_people(canvas.scene, box):
        return
    if "crop-to-subject" in canvas.kinds:
        try:
            _crop_rect(canvas, box)
            return
        except Skipped:
            pass
    raise Skipped("other people share the photo, and a new background would cut them up or blur them "
                  "away (a crop to the subject of at least "
                  f"{MIN_CROP_SIDE_PX} px that leaves them out would allow it)")


#: Largest blur disc radius of a retry, fraction of the long side (beyond it the
#: background is a smear, not a lens blur).
MAX_BLUR_FRACTION = 0.08


#: Skin L* a lift aims for when the rule gives no target (a well exposed medium complexion).
DEFAULT_TARGET_SKIN_L = 58.0


@action("lift-face-exposure", order=10, summary="brighten the person, background untouched")
def _lift_face(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    from ..retouch.exposure import MAX_EV, ev_for, lift_subject

    given = next((params[k] for k in ("lift_ev", "stops_to_lift") if params.get(k) is not None), None)
    if given is not None:
        suggested = float(given)
    else:
        skin = canvas.scene.skin_mask
        if skin.sum() < 20:
            raise Skipped("no facial skin found to judge the exposure by")
        current = float(np.median(canvas.scene.lab[..., 0][skin]))
        suggested = ev_for(current, float(params.get("target_skin_l", DEFAULT_TARGET_SKIN_L)))
    ev = min(suggested, MAX_EV) * canvas.fallback.lift_scale
    if ev <= 0.05:
        return canvas.rgb
    why = ""
    if ev < suggested - 0.05:
        why = (f" (at most {MAX_EV:g} stops: more makes noise and looks like another photo)"
               if canvas.fallback.lift_scale == 1.0 else " (a cautious retry)")
    canvas.notes.append(f"lifted the subject by {ev:.1f} stops of the {suggested:.1f} suggested{why}")
    return lift_subject(canvas.rgb, canvas.alpha, ev)


@action("crop-to-subject", order=90,
        summary="crop to a 4:5 headshot of the subject without the other faces")
def _crop_to_subject(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    """Runs last: the other actions work on the whole frame, then it is cut."""
    from ..retouch.crop import crop

    box = subject_box(canvas.scene)
    if box is None:
        raise Skipped("no face on the person to crop to")
    rect = _crop_rect(canvas, box)
    h, w = canvas.rgb.shape[:2]
    cw, ch = rect[2] - rect[0], rect[3] - rect[1]
    canvas.crop = Crop(*rect, w, h)
    canvas.notes.append(f"cropped to the subject: {cw}x{ch} px of {w}x{h}")
    return crop(canvas.rgb, rect)


def _crop_rect(canvas: Canvas, box: Any) -> Tuple[int, int, int, int]:
    """The crop to the subject (full-resolution px), or :class:`Skipped` with the reason:
    no crop leaves the other faces out, or it would be under :data:`MIN_CROP_SIDE_PX`."""
    from ..retouch.crop import NoCrop, crop_box

    k = canvas.scale
    h, w = canvas.rgb.shape[:2]
    try:
        rect = crop_box((w, h), _px(box, k), [_px(b, k) for b in other_faces(canvas.scene, box)])
    except NoCrop as exc:
        raise Skipped(f"cannot crop to the subject: {exc}") from None
    cw, ch = rect[2] - rect[0], rect[3] - rect[1]
    if min(cw, ch) < MIN_CROP_SIDE_PX:
        raise Skipped(f"the crop to the subject would be {cw}x{ch} px, under the {MIN_CROP_SIDE_PX} px "
                      "a usable headshot needs on its short side")
    return rect


#: The short side a crop to the subject must keep, px: profile pictures are shown up to
#: 400 px (and sharper on high-density screens); a smaller crop is a thumbnail, not a photo.
MIN_CROP_SIDE_PX = 400


@action("rotate-upright", order=100, summary="turn the photo so the face is upright (lossless)")
def _rotate_upright(canvas: Canvas, params: Mapping[str, Any]) -> np.ndarray:
    """Runs after every other action, which all work in the photo's stored frame."""
    k = int(round(float(params.get("turn_degrees", 0)) / 90.0)) % 4
    if k == 0:
        raise Skipped("the photo is already upright")
    canvas.turns = k
    canvas.notes.append(f"turned the photo {90 * k} degrees counter-clockwise")
    return np.ascontiguousarray(np.rot90(canvas.rgb, k))


def _px(box: Any, k: float) -> Tuple[float, float, float, float]:
    return box.x0 * k, box.y0 * k, box.x1 * k, box.y1 * k
