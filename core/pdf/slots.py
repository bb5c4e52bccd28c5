"""Where the visible signatures go: one reserved box per party on the final "Signatures" page.

Why a dedicated last page: a convention's length varies with its annexes, so a signature zone
"after the text" would move from one document to the next. The base template always ends with
a page of its own whose boxes sit at the fixed coordinates below; the signing code
(conventions/pdfsign.py) places each party's stamp exactly there, on the last page, whatever
came before. static/css/pdf.css repeats these numbers; tests/signature/test_pdf_layout.py
checks the rendered boxes against them, so the two cannot drift apart silently.
"""

from __future__ import annotations

from dataclasses import dataclass

A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0
POINTS_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class SignatureSlot:
    """A reserved box on the last page, in millimetres from the page's top-left corner."""

    name: str
    label: str
    left_mm: float
    top_mm: float
    width_mm: float
    height_mm: float

    @property
    def field_name(self) -> str:
        """Name of the PDF signature field created for this slot (stable: verification reads it)."""
        return f"signature_{self.name}"

    def pdf_box(self, page_height_pt: float = A4_HEIGHT_MM * POINTS_PER_MM) -> tuple[int, int, int, int]:
        """The box in PDF user space (points, origin bottom-left), as pyHanko expects it."""
        x1 = self.left_mm * POINTS_PER_MM
        x2 = (self.left_mm + self.width_mm) * POINTS_PER_MM
        y2 = page_height_pt - self.top_mm * POINTS_PER_MM
        y1 = page_height_pt - (self.top_mm + self.height_mm) * POINTS_PER_MM
        return round(x1), round(y1), round(x2), round(y2)


SIGNATURE_SLOTS: dict[str, SignatureSlot] = {
    "bailleur": SignatureSlot("bailleur", "Pour le bailleur", left_mm=20, top_mm=106, width_mm=82, height_mm=40),
    "reservataire": SignatureSlot(
        "reservataire", "Pour le réservataire", left_mm=108, top_mm=106, width_mm=82, height_mm=40
    ),
}


@dataclass(frozen=True)
class SignatureBlock:
    """What the template prints above a slot: the party, and who is expected to sign for it."""

    slot: SignatureSlot
    organisation: str
    signataire: str = ""


def signature_blocks(**organisations: str | tuple[str, str]) -> list[SignatureBlock]:
    """Context helper: ``signature_blocks(bailleur="Nord Habitat", reservataire=("ALS", "Jean Dupont, DR"))``.

    Slots are returned in the fixed order of SIGNATURE_SLOTS, whatever the keyword order.
    """
    unknown = set(organisations) - set(SIGNATURE_SLOTS)
    if unknown:
        raise ValueError(f"Emplacement de signature inconnu : {', '.join(sorted(unknown))}.")
    blocks = []
    for name, slot in SIGNATURE_SLOTS.items():
        if name in organisations:
            value = organisations[name]
            organisation, signataire = value if isinstance(value, tuple) else (value, "")
            blocks.append(SignatureBlock(slot, organisation, signataire))
    return blocks
