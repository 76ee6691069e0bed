"""core.recent.Recent: answers kept per key for a moment, then read again."""

from core import recent
from core.recent import Recent


def test_kept_for_the_moment_then_read_again(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(recent.time, "monotonic", lambda: clock[0])
    reads = []
    kept = Recent(lambda key: reads.append(key) or (None if key == "gone" else key * 2), seconds=1.0, size=3)
    assert (kept.get(2), kept.get(2), kept.get("gone"), kept.get("gone")) == (4, 4, None, None)
    assert reads == [2, "gone"]  # a missing answer (None) is kept too
    clock[0] += 1.0
    assert kept.get(2) == 4 and reads == [2, "gone", 2]
    kept.forget("any", signal="arguments")
    assert kept.get(2) == 4 and reads[-1] == 2 and len(reads) == 4
    for key in (5, 6, 7):  # beyond `size` keys it starts again empty
        kept.get(key)
    kept.get(2)
    assert reads[-1] == 2 and len(reads) == 8
