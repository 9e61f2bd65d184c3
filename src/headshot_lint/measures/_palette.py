"""The guide's backdrop palette and the tone each face (and its clothes) needs.

Not a measure: the advice that the background-tone and small-size-contrast measures
and the replace-background fix share, here so that no measure imports another
(:mod:`.tone` re-exports it as its public face).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .. import color
from ..scene import Scene
from ._outline import OUTLINE_LOST_MAX, lost_share, outline_colours
from ._views import clothing_lab, skin_lab, tint


@dataclass(frozen=True)
class Tone:
    """A backdrop tone of the guide's palette."""

    name: str  #: e.g. "medium grey"
    hex: str  #: sRGB, "#RRGGBB"

    @property
    def lab(self) -> np.ndarray:
        """CIELAB of the tone, float32 (3,), L* in [0, 100]."""
        return _hex_lab(self.hex).copy()


@functools.lru_cache(maxsize=None)
def _hex_lab(hex_colour: str) -> np.ndarray:
    return color.rgb_to_lab(color.hex_to_rgb(hex_colour))


OFF_WHITE = Tone("off-white", "#ECE9E3")
LIGHT_GREY = Tone("light grey", "#B8B8B8")
MEDIUM_GREY = Tone("medium grey", "#808080")
MEDIUM_DARK_GREY = Tone("medium-dark grey", "#5E5E5E")
CHARCOAL = Tone("charcoal", "#3A3D42")
NAVY = Tone("navy", "#1F2A44")

#: Skin L* bounds between complexion classes (CIE L* of the median facial skin as
#: photographed, so exposure matters): below DARKER_BELOW "darker", at or above
#: LIGHTER_FROM "lighter", else "medium". Set on the 189 labelled real photos with a
#: usable face (``skin`` column light/medium/dark): the pair with the best balanced
#: accuracy (0.56; the earlier 48/62 gave 0.48). Median skin L* there: light 67.5,
#: medium 57.8, dark 48.6, with wide overlap, because exposure moves L* as much as
#: complexion does; the advice is about contrast with the face as photographed.
DARKER_BELOW = 50.0
LIGHTER_FROM = 61.0

#: The guide's preference order of tones for each complexion.
PREFERENCE = {
    "darker": (LIGHT_GREY, OFF_WHITE, MEDIUM_GREY),
    "medium": (MEDIUM_GREY, OFF_WHITE, LIGHT_GREY, CHARCOAL),
    "lighter": (MEDIUM_GREY, MEDIUM_DARK_GREY, CHARCOAL, NAVY),
}
#: A recommended tone must differ from the skin by at least this many L* units, so the
#: face still separates at 32 px: about 1.5:1 WCAG at mid tones, above the 1.33:1 that
#: small-size-contrast was calibrated to on the labelled photos.
MIN_SEPARATION_L = 15.0
#: ... and from the clothing by this CIEDE2000 (or by MIN_SEPARATION_L in L*): twice the
#: difference under which clothing-camouflage calls the outline lost, so folds and
#: shadows stay apart too.
MIN_CLOTHING_DELTA_E = 20.0
#: Every tone of the guide's palette, lightest first.
PALETTE = (OFF_WHITE, LIGHT_GREY, MEDIUM_GREY, MEDIUM_DARK_GREY, CHARCOAL, NAVY)


def complexion(skin_l: float) -> str:
    """Complexion class ("darker", "medium", "lighter") of a median skin L* in [0, 100]."""
    if skin_l < DARKER_BELOW:
        return "darker"
    return "lighter" if skin_l >= LIGHTER_FROM else "medium"


def recommend_tone(skin_l: float, clothing_lab: np.ndarray | None = None,
                   tint: tuple[float, float] | None = None) -> Tone:
    """The guide's tone for a face of median skin L* (CIE, [0, 100]), and clothes.

    The first tone in the complexion's preference order that differs from the skin by
    at least ``MIN_SEPARATION_L``; if none does, the one that differs most. Given the
    clothing's median CIELAB, the tone must also differ from it (:func:`_apart`): the
    complexion's tones are tried first, then the guide's
    universal ones, then the rest of the palette (each still apart from the skin); if
    none is apart from both, the face decides. Given a black-and-white photo's ``tint``,
    the tones are those of :func:`in_photo`: greys in that tint.

    Examples
    --------
    >>> recommend_tone(66.0).name    # lighter complexion: medium grey is too close
    'medium-dark grey'
    >>> recommend_tone(85.0).name    # very light (or bright) face: medium grey separates
    'medium grey'
    >>> recommend_tone(56.0).name    # medium: medium grey is too close in L*
    'off-white'
    >>> recommend_tone(38.0).name    # darker complexion
    'light grey'
    >>> recommend_tone(38.0, LIGHT_GREY.lab).name    # ... in a light grey jacket
    'off-white'
    >>> recommend_tone(66.0, MEDIUM_DARK_GREY.lab).name    # lighter face in a mid-dark grey suit
    'navy'
    >>> recommend_tone(66.0, MEDIUM_DARK_GREY.lab, tint=(0.0, 0.0)).name    # ... in a black-and-white photo
    'near-black'
    """
    tones = in_photo(PREFERENCE[complexion(skin_l)], tint)
    if clothing_lab is not None:
        order = tones + tuple(t for t in in_photo(UNIVERSAL + PALETTE, tint) if t not in tones)
        for tone in dict.fromkeys(order):
            if abs(float(tone.lab[0]) - skin_l) >= MIN_SEPARATION_L and _apart(tone, clothing_lab):
                return tone
    for tone in tones:
        if abs(float(tone.lab[0]) - skin_l) >= MIN_SEPARATION_L:
            return tone
    return max(tones, key=lambda t: abs(float(t.lab[0]) - skin_l))


#: A palette tone is grey below this chroma, C*ab: the greys and off-white (about 3) are,
#: navy (about 20) is not.
_GREY_CHROMA = 8.0
#: What a coloured tone of the palette is called in a black-and-white photo, where it shows
#: as the grey of its lightness (navy, L* 17, as the near-black of a low-key portrait).
_AS_GREY = {"navy": "near-black"}
#: A tone in a photo's tint keeps one channel below this (sRGB 0-255): HL202 calls a backdrop
#: clipped white where every channel reaches it (``white.WHITE_LEVEL``; a test ties the two).
#: Off-white is #ECE9E3 for that reason; as a neutral grey of its lightness (#E9E9E9) it would not be.
NOT_WHITE_BELOW = 230


def in_photo(tones: tuple[Tone, ...], tint: tuple[float, float] | None) -> tuple[Tone, ...]:
    """``tones`` as a photo can show them: as they are in a colour photo (``tint`` None); in a
    black-and-white photo each moved to the photo's (a*, b*) ``tint`` at its own lightness (a
    coloured one renamed: navy becomes near-black; off-white kept just below clipped white),
    so a new backdrop brings no colour (nor a cold grey into a warm print).

    Examples
    --------
    >>> [t.name for t in in_photo((MEDIUM_GREY, NAVY), (0.0, 0.0))]
    ['medium grey', 'near-black']
    >>> in_photo((OFF_WHITE,), (0.0, 0.0))[0].hex    # off-white's warmth goes, not below white's level
    '#E5E5E5'
    """
    if tint is None:
        return tones
    out = []
    for tone in tones:
        lab = tone.lab
        lab[1:] = tint
        rgb = color.lab_to_rgb(lab)
        while min(rgb) >= NOT_WHITE_BELOW - 0.5:  # a neutral off-white would read as clipped white
            lab[0] -= 0.5
            rgb = color.lab_to_rgb(lab)
        name = tone.name if float(color.chroma(tone.lab)) < _GREY_CHROMA else _AS_GREY.get(tone.name, "grey")
        out.append(Tone(name, color.rgb_to_hex(rgb)))
    return tuple(out)


def candidates(skin_l: float, tint: tuple[float, float] | None = None) -> tuple[Tone, ...]:
    """Every tone of the palette that separates from a face of median skin L* (CIE, [0, 100])
    by ``MIN_SEPARATION_L``, in the guide's order for its complexion, then its universal
    tones, then the rest: the choices a backdrop for this face has (:func:`in_photo` for a
    black-and-white photo's ``tint``)."""
    order = in_photo(PREFERENCE[complexion(skin_l)] + UNIVERSAL + PALETTE, tint)
    return tuple(t for t in dict.fromkeys(order) if abs(float(t.lab[0]) - skin_l) >= MIN_SEPARATION_L)


def _apart(tone: Tone, clothing_lab: np.ndarray) -> bool:
    """The tone and the clothes read as two colours: ``MIN_CLOTHING_DELTA_E`` apart, or
    ``MIN_SEPARATION_L`` apart in lightness."""
    return (float(color.delta_e(tone.lab, clothing_lab)) >= MIN_CLOTHING_DELTA_E
            or abs(float(tone.lab[0]) - float(clothing_lab[0])) >= MIN_SEPARATION_L)


def tone_for(scene: Scene) -> Tone | None:
    """:func:`recommend_tone` for this scene's face and clothes, moved to another of the
    face's tones where it would hide the body's outline (:func:`keeping_the_outline`); None
    without measurable facial skin. What the background-tone and small-size-contrast advice
    and the replace-background fix use, so the tone advised is the tone a copy is given."""
    if scene.face is None or scene.skin_mask.sum() < 20:
        return None
    return keeping_the_outline(scene, recommend_tone(float(skin_lab(scene)[0]), clothing_lab(scene), tint(scene)))[0]


def keeping_the_outline(scene: Scene, tone: Tone) -> tuple[Tone, float, float]:
    """(``tone``, or the first of this face's :func:`candidates` that keeps the body's outline
    visible when ``tone`` would not; the share of the outline ``tone`` would hide; the share the
    tone returned hides), shares in [0, 1].

    A backdrop hides the outline where the clothes just inside it are within the
    clothing-camouflage rule's ΔE2000 of it (:func:`._outline.lost_share`, at the viewing
    size): a grey jacket against the recommended grey loses its shoulders, and the advice must
    not make the camouflage it is often asked to fix. Up to ``OUTLINE_LOST_MAX`` is kept; past
    it the first candidate within it is chosen, else the one hiding least, and only when it
    hides less. Without a measurable outline or facial skin: ``tone``, shares 0.
    """
    inside = outline_colours(scene)
    if inside is None or scene.face is None or scene.skin_mask.sum() < 20:
        return tone, 0.0, 0.0
    planned = lost_share(inside, tone.lab)
    if planned <= OUTLINE_LOST_MAX:
        return tone, planned, planned
    options = [(lost_share(inside, t.lab), t) for t in candidates(float(skin_lab(scene)[0]), tint(scene))]
    if not options:
        return tone, planned, planned
    fine = [o for o in options if o[0] <= OUTLINE_LOST_MAX]
    share, chosen = fine[0] if fine else min(options, key=lambda o: o[0])  # the first of equals
    return (chosen, planned, share) if share < planned else (tone, planned, planned)


def advised_tone(scene: Scene) -> Tone:
    """:func:`tone_for`, or without measurable facial skin (a silhouette, a face turned
    away) the guide's reliable default, medium grey: no complexion to choose for."""
    return tone_for(scene) or in_photo((MEDIUM_GREY,), tint(scene))[0]


#: The guide's two tones that suit every complexion (its "most reliable" and "second
#: most reliable"), whenever they separate from the skin.
UNIVERSAL = (MEDIUM_GREY, OFF_WHITE)
