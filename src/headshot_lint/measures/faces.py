"""How many faces the photo shows, and how many are comparable to the subject's."""

from __future__ import annotations

from ..model import Measurement, Region
from ..scene import Scene
from . import measure

#: A face at least this fraction of the subject's face height is a second subject,
#: not a bystander in the background (those belong to busy-background).
COMPARABLE_HEIGHT = 0.6
#: A face off the person matte still counts at this detector confidence or more: the
#: segmenter can miss a person in a wide group shot, while the "faces" found in windows,
#: skies and crowds behind the subject scored 0.51-0.65 on the labelled photos (0.6-0.85
#: all gave multiple-faces F1 0.889 there except 0.6: 0.862).
CONFIDENT = 0.7


@measure("face_count", units={"faces": "faces", "comparable_faces": "faces", "face_height": "fraction",
                              "turn_degrees": "degrees"}, details=("turn",))
def face_count(scene: Scene) -> Measurement:
    """Number of faces, count >= 0, and of faces comparable in size to the subject's.

    Values
    ------
    faces : count of faces detected with confidence >= 0.5.
    comparable_faces : faces on a person (``Scene.faces_on_person``) or detected with
        confidence >= ``CONFIDENT`` (all faces when none is on a person), at least
        ``COMPARABLE_HEIGHT`` x the subject's face height (the subject included), count >= 0.
    face_height : the subject's face-box height as a fraction of the image height, [0, 1].
    turn_degrees : how far the photo as stored must be turned counter-clockwise for its
        face to be upright (``Scene.turned`` + ``Scene.upright_turns``), degrees in
        {0, 90, 180, 270}; details ``turn`` says it in words.
    """
    faces = scene.faces
    subject = scene.face
    turns = (scene.turned + scene.upright_turns) % 4  # the stored photo's turn, even when analysed upright
    turn = {"turn_degrees": 90.0 * turns}
    details = {"turn": _TURN_WORDS[turns]}
    if subject is None:
        return Measurement("face_count", {"faces": 0.0, "comparable_faces": 0.0, "face_height": 0.0, **turn},
                           details=details)
    people = [f for f in faces if f in scene.faces_on_person or f.score >= CONFIDENT] if scene.faces_on_person else faces
    comparable = [f for f in people if f.box.height >= COMPARABLE_HEIGHT * subject.box.height]
    regions = tuple(
        Region.from_pixels(f.box.x0, f.box.y0, f.box.x1, f.box.y1, scene.width, scene.height,
                           "subject" if f is subject else "face")
        for f in faces
    )
    return Measurement(
        "face_count",
        {"faces": float(len(faces)), "comparable_faces": float(len(comparable)),
         "face_height": round(subject.box.height / scene.height, 4), **turn},
        regions=regions,
        details=details,
    )


#: How to turn the photo upright, for each ``Scene.upright_turns`` (numpy's counter-clockwise k).
_TURN_WORDS = ("not at all", "90° counter-clockwise", "180°", "90° clockwise")
