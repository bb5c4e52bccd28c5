"""Pages of the conventions app (a package: reading pages, draft editing, POST actions)."""

from conventions.views.actions import (
    abandon,
    annexe_download,
    approve,
    avenant_abandon,
    avenant_open,
    comment_add,
    comment_resolve,
    draft_discard,
    draft_propose,
    draft_start,
    reopen,
    start_signature,
    terminate,
)
from conventions.views.edition import draft_edit
from conventions.views.pages import convention_create, convention_detail, convention_list, reservataire_choices
from conventions.views.portefeuille import portefeuille
from conventions.views.signature import document_download, document_preview, refuse_signature, sign, verification

__all__ = [
    "abandon",
    "annexe_download",
    "approve",
    "avenant_abandon",
    "avenant_open",
    "comment_add",
    "comment_resolve",
    "convention_create",
    "convention_detail",
    "convention_list",
    "document_download",
    "document_preview",
    "draft_discard",
    "draft_edit",
    "draft_propose",
    "draft_start",
    "portefeuille",
    "refuse_signature",
    "reopen",
    "reservataire_choices",
    "sign",
    "start_signature",
    "terminate",
    "verification",
]
