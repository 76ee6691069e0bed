"""Small pieces of text in the request's language, for code that joins words itself; and the one rule
for the characters typed text may not hold beyond NUL (core.nul)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# The two direction overrides (LRO, RLO): invisible, they force what follows to show backwards — a name
# that reads reversed, a station's name that shows another (found by fuzzing). Embeddings, isolates and
# marks stay: text mixing Uyghur or Arabic script with Chinese and digits uses them to show right.
DIRECTION_CONTROLS = re.compile("[\u202d\u202e]")


def list_separator() -> str:
    """「、」 in Chinese, ", " in English (templates: {% translate "、" context "list separator" %})."""
    return pgettext("list separator", "、")


def direction_problem(value) -> str | None:
    if isinstance(value, str) and DIRECTION_CONTROLS.search(value):
        return _("不能含强制文字方向符（U+202D、U+202E：不可见，会让文字倒着显示）：请删去后重新填写")
    return None


def validate_shown_text(value) -> None:
    """The validator every text box of the console's model forms and the API's model serializers
    carries (core.forms, core.api.serializers)."""
    if problem := direction_problem(value):
        raise ValidationError(problem, code="direction")
