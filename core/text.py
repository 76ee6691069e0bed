"""Small pieces of text in the request's language, for code that joins words itself; and the one rule
for the characters typed text may not hold beyond NUL (core.nul)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Text-direction controls (embeddings, overrides, isolates): invisible, they reorder what is shown
# after them — a name that reads backwards, a station's name that shows another (found by fuzzing).
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def list_separator() -> str:
    """「、」 in Chinese, ", " in English (templates: {% translate "、" context "list separator" %})."""
    return pgettext("list separator", "、")


def direction_problem(value) -> str | None:
    if isinstance(value, str) and DIRECTION_CONTROLS.search(value):
        return _("不能含文字方向控制符（不可见，会改变文字显示的顺序）：请删去后重新填写")
    return None


def validate_shown_text(value) -> None:
    """The validator every text box of the console's model forms and the API's model serializers
    carries (core.forms, core.api.serializers)."""
    if problem := direction_problem(value):
        raise ValidationError(problem, code="direction")
