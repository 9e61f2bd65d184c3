"""How many faces the photo shows, and how many are comparable to the subject's."""

from __future__ import annotations

from ..model import Measurement, Region
from ..scene import Scene
from . import measure

#: A face at least this fraction of the subject's face height is a second subject,
#: not a bystander in the background (those belong to busy-background).
COMPARABLE_HEIGHT = 0.6


@measure("face_count", cost_ms=4.0)
def face_count(scene: Scene) -> Measurement:
    """Number of faces, count >= 0, and of faces comparable in size to the subject's.

    Values
    ------
    faces : count of faces detected with confidence >= 0.5.
    comparable_faces : faces on a person (``Scene.faces_on_person``; all faces when
        none is) at least ``COMPARABLE_HEIGHT`` x the subject's face height (the
        subject included), count >= 0.
    face_height : the subject's face-box height as a fraction of the image height, [0, 1].
    """
    faces = scene.faces
    subject = scene.face
    if subject is None:
        return Measurement("face_count", {"faces": 0.0, "comparable_faces": 0.0, "face_height": 0.0},
                           {"faces": "faces", "comparable_faces": "faces", "face_height": "fraction"})
    comparable = [f for f in scene.faces_on_person or faces if f.box.height >= COMPARABLE_HEIGHT * subject.box.height]
    regions = tuple(
        Region.from_pixels(f.box.x0, f.box.y0, f.box.x1, f.box.y1, scene.width, scene.height,
                           "subject" if f is subject else "face")
        for f in faces
    )
    return Measurement(
        "face_count",
        {"faces": float(len(faces)), "comparable_faces": float(len(comparable)),
         "face_height": round(subject.box.height / scene.height, 4)},
        {"faces": "faces", "comparable_faces": "faces", "face_height": "fraction"},
        regions=regions,
    )
