"""Routing under concurrency: questions submitted at the same moment never take a lawyer past max_open
(the lawyer's row is locked and the open count read again), on SQLite and PostgreSQL."""

import threading
from collections import Counter

import pytest
from django.db import connection

from rights.models import Consultation, Lawyer
from rights.services import legal
from tests import factories
from tests.programs.test_race import committed, file_database  # noqa: F401 (fixture)

THREADS = 8
EACH = 3
MAX_OPEN = 2


@pytest.mark.usefixtures("committed")
def test_simultaneous_questions_respect_max_open(tree, tmp_path):
    lawyers = [
        Lawyer.objects.create(
            user=factories.official(f"lw{i}", "lawyer", tree["district"]),
            union=tree["district"],
            name=f"律师{i}",
            max_open=MAX_OPEN,
        )
        for i in range(2)
    ]
    factories.official("kq_rights", "rights", tree["district"])
    people = [factories.member(tree["site_a"], f"骑手{i}") for i in range(THREADS)]
    with file_database(tmp_path):
        barrier = threading.Barrier(THREADS)
        errors: list[BaseException] = []

        def run(person):
            try:
                barrier.wait(timeout=60)
                for n in range(EACH):
                    legal.submit(person, "penalty", f"第{n}个问题：站点扣了我的钱，合法吗？")
            except BaseException as exc:  # surfaced in the main thread
                errors.append(exc)
            finally:
                connection.close()

        workers = [threading.Thread(target=run, args=(p,)) for p in people]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert not errors, errors[:3]

        def facts():
            try:
                rows = list(Consultation.objects.values_list("lawyer_id", "status"))
            finally:
                connection.close()
            return rows

        out = {}
        reader = threading.Thread(target=lambda: out.setdefault("rows", facts()))
        reader.start()
        reader.join()
    rows = out["rows"]
    assert len(rows) == THREADS * EACH
    per_lawyer = Counter(lawyer for lawyer, status in rows if lawyer is not None)
    assert per_lawyer == {lawyers[0].pk: MAX_OPEN, lawyers[1].pk: MAX_OPEN}
    assert Counter(status for _l, status in rows) == {"assigned": 4, "submitted": THREADS * EACH - 4}
