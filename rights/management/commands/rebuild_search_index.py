"""Rebuild the knowledge search's index from published articles and answered consultations.

The index is kept in step by the services that publish, edit and withdraw articles and answer
consultations; this is for after a bulk load, a restore, or a change of the tokenizer or synonyms.
"""

from django.core.management.base import BaseCommand

from core.history import acting_as
from rights.services import search


class Command(BaseCommand):
    help = "重建法律知识库检索索引（已发布文章和已答复咨询）"

    def handle(self, *args, **options):
        with acting_as(None, "command:rebuild_search_index"):
            counts = search.rebuild()
        self.stdout.write(
            f"indexed {counts.get('article', 0)} articles, {counts.get('consultation', 0)} consultations"
        )
