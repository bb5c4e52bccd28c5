"""The reserved signature boxes of the template sit exactly where core/pdf/slots.py says (the signer relies on it)."""

import pytest

from core.pdf import SIGNATURE_SLOTS, render_document, signature_blocks
from core.pdf.exemple import TEMPLATE, exemple_convention_context
from core.pdf.slots import A4_HEIGHT_MM, POINTS_PER_MM

PX_TO_MM = 25.4 / 96


def _boxes_with_class(box, css_class):
    if box.element is not None and css_class in (box.element.get("class") or "").split():
        yield box
    for child in getattr(box, "children", ()):
        yield from _boxes_with_class(child, css_class)


@pytest.fixture(scope="module")
def last_page():
    document = render_document(TEMPLATE, exemple_convention_context())
    return document.pages[-1]._page_box


@pytest.mark.parametrize("name", list(SIGNATURE_SLOTS))
def test_the_rendered_box_of_each_slot_matches_its_declared_geometry(last_page, name):
    slot = SIGNATURE_SLOTS[name]
    [box] = [b for b in _boxes_with_class(last_page, "pdf-signature-box") if b.element.get("data-slot") == name]
    assert box.border_box_x() * PX_TO_MM == pytest.approx(slot.left_mm, abs=0.3)
    assert box.border_box_y() * PX_TO_MM == pytest.approx(slot.top_mm, abs=0.3)
    assert box.border_width() * PX_TO_MM == pytest.approx(slot.width_mm, abs=0.3)
    assert box.border_height() * PX_TO_MM == pytest.approx(slot.height_mm, abs=0.3)


def test_the_slots_do_not_overlap_and_stay_inside_the_page():
    first, second = SIGNATURE_SLOTS["bailleur"], SIGNATURE_SLOTS["reservataire"]
    assert first.left_mm + first.width_mm <= second.left_mm
    for slot in SIGNATURE_SLOTS.values():
        x1, y1, x2, y2 = slot.pdf_box()
        assert 0 < x1 < x2 < 210 * POINTS_PER_MM
        assert 0 < y1 < y2 < A4_HEIGHT_MM * POINTS_PER_MM


def test_pdf_boxes_are_in_points_from_the_bottom_left_corner():
    x1, y1, x2, y2 = SIGNATURE_SLOTS["bailleur"].pdf_box(page_height_pt=841.89)
    assert (x1, x2) == (57, 289)  # 20 mm and 102 mm
    assert y2 == round(841.89 - 106 * POINTS_PER_MM)
    assert y2 - y1 == round(40 * POINTS_PER_MM)


def test_signature_blocks_follow_the_slot_order_and_refuse_unknown_parties():
    blocks = signature_blocks(reservataire="Action Logement Services", bailleur=("Nord Habitat", "Hélène Martin"))
    assert [b.slot.name for b in blocks] == ["bailleur", "reservataire"]
    assert blocks[0].signataire == "Hélène Martin" and blocks[1].signataire == ""
    with pytest.raises(ValueError, match="Emplacement de signature inconnu"):
        signature_blocks(temoin="Quelqu'un")
