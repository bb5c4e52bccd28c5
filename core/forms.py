from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from core.concurrency import ConflictError


class StyledFormMixin:
    """Adds Bootstrap classes to widgets so templates stay free of per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_service_errors(self, exc) -> None:
        """Attach a service ValidationError to the right fields (or the whole form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)

    def apply_service(self, call: Callable[[], object]) -> bool:
        """Run a service call; a French ValidationError or an edit conflict lands on the form (False)."""
        try:
            call()
        except ValidationError as exc:
            self.add_service_errors(exc)
        except ConflictError as exc:
            self.add_error(None, str(exc))
        else:
            return True
        return False


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass
