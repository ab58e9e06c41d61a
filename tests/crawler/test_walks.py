"""crawler/walks.py: what a list walk saw and, when it stops, the words that say it probably
missed articles (or nothing, when it did not)."""

from crawler.extract.types import ListEntry, ListPage, PagerFacts
from crawler.walks import AGE, END, LOOP, MAX_PAGES, ListWalk

URL = "https://xa.example.gov.vn/tin-tuc"


def page(n_entries: int, **facts) -> ListPage:
    return ListPage(entries=[ListEntry(url=f"{URL}/bai-{i}.html") for i in range(n_entries)], pager=PagerFacts(**facts))


def walk_of(*pages: ListPage) -> ListWalk:
    w = ListWalk(URL)
    for i, p in enumerate(pages, 1):
        w.saw(f"{URL}?page={i}", p)
    return w


def test_a_walk_to_the_last_page_the_pager_shows_missed_nothing():
    w = walk_of(page(10, current=1, highest=3), page(10, current=2, highest=3), page(4, current=3, highest=3))
    assert w.missed(END, max_pages=20) == []
    assert (w.pages, w.links, w.number) == (3, 24, 3)


def test_a_pager_that_shows_pages_the_walk_did_not_reach():
    w = walk_of(*(page(10, current=n, highest=12 if n < 6 else 7) for n in range(1, 7)))
    assert w.missed(END, max_pages=20) == ["pager shows page 12 but the walk stopped at page 6: next link not found"]


def test_printed_totals_larger_than_what_was_read():
    w = walk_of(page(20, item_range=(1, 20), total=29))
    assert w.missed(END, max_pages=20) == [
        "the list shows articles 1 - 20 of 29 but the walk stopped at page 1: next link not found"]
    w = walk_of(page(20, item_range=(1, 20), total=29), page(5, item_range=(21, 29), total=29))
    assert w.missed(END, max_pages=20) == ["the list says 29 articles but 25 article links were read on 2 page(s)"]
    w = walk_of(page(20, item_range=(1, 20), total=29), page(9, item_range=(21, 29), total=29))
    assert w.missed(END, max_pages=20) == []


def test_a_skipped_page_number():
    w = walk_of(page(5, current=1, highest=5), page(5, current=3, highest=5), page(5, current=4, highest=5),
                page(5, current=5, highest=5))
    assert w.missed(END, max_pages=20) == ["the walk skipped page 2 (the next link of page 1 led to page 3)"]


def test_a_next_link_back_to_a_read_page():
    w = walk_of(page(10, current=1, highest=4), page(10, current=2, highest=4))
    assert w.seen(f"{URL}?page=1") and not w.seen(f"{URL}?page=3")
    assert w.missed(LOOP, max_pages=20, next_url=f"{URL}?page=1") == [
        f"pager shows page 4 but the walk stopped at page 2: the next link leads back to a page already read ({URL}?page=1)"]


def test_max_pages_and_the_age_limit():
    w = walk_of(page(10, current=1, highest=9), page(10, current=2, highest=9))
    # the operator's page budget is not a miss, nor a shallow walk, nor an age limit reached
    assert w.missed(MAX_PAGES, max_pages=2) == []
    assert w.missed(AGE, max_pages=20, max_age_days=30) == []
    assert w.missed(MAX_PAGES, max_pages=2, max_age_days=30, newer_than_limit=True, full=False) == []
    # ... but articles inside max_age_days left behind max_pages are
    assert w.missed(MAX_PAGES, max_pages=2, max_age_days=30, newer_than_limit=True) == [
        "the walk stopped at max_pages 2 while page 2 still lists articles newer than max_age_days 30: "
        "older articles inside the age limit were not read"]
