"""The sending rate: at most so many messages a second for a mailing, across all its workers."""

import time
from collections import Counter

from standwith.outreach.sending import Throttle


def test_it_lets_no_more_than_the_rate_through_in_any_second_across_workers():
    # Two workers' throttles for one mailing share the count kept in the cache.
    first, second = Throttle(mailing_id=41, rate=2), Throttle(mailing_id=41, rate=2)
    seconds = []
    for throttle in (first, second, first, second, first, second):
        throttle.wait()
        seconds.append(int(time.time()))

    assert max(Counter(seconds).values()) <= 2
    assert len(set(seconds)) >= 3


def test_it_keeps_each_mailings_rate_apart():
    seconds = []
    for mailing_id in (42, 43, 44, 45):
        Throttle(mailing_id=mailing_id, rate=1).wait()
        seconds.append(int(time.time()))

    # Four mailings at one a second each: none waits for another's.
    assert seconds[-1] - seconds[0] <= 1
