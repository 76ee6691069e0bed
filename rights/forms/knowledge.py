"""Forms of the knowledge base's console pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm

from ..models import Article


class ArticleForm(ScopedModelForm):
    """An article's text; publishing and withdrawing are separate steps on its page."""

    class Meta:
        model = Article
        fields = ["union", "title", "category", "question", "answer", "law_references"]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 5}),
            "answer": forms.Textarea(attrs={"rows": 12}),
            "law_references": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "question": _("用职工的话写问题；不得出现姓名、电话、身份证号、车牌号、住址等个人信息"),
            "law_references": _("每行一条，如：《工资支付暂行规定》第十六条"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("撤下原因"), max_length=200)
