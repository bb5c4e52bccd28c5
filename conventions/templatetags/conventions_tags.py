"""Small display helpers of the conventions templates."""

from django import template
from django.utils.html import format_html

from conventions.models import Statut

register = template.Library()

BADGES = {
    Statut.BROUILLON: "text-bg-secondary",
    Statut.EN_NEGOCIATION: "text-bg-warning",
    Statut.VALIDEE: "text-bg-info",
    Statut.EN_SIGNATURE: "text-bg-primary",
    Statut.SIGNEE: "text-bg-success",
    Statut.AVENANT_EN_COURS: "text-bg-warning",
    Statut.RESILIEE: "text-bg-dark",
    Statut.EXPIREE: "text-bg-dark",
    Statut.ABANDONNEE: "text-bg-light border",
}


@register.simple_tag
def statut_badge(convention):
    return format_html(
        '<span class="badge badge-status {}">{}</span>',
        BADGES.get(convention.statut, "text-bg-secondary"),
        convention.get_statut_display(),
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
