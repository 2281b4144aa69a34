"""Pages of lists that only grow, such as every sync run an integration ever had.

Counting such a list exactly reads all of it on every visit (100,000 runs: 20 ms of
PostgreSQL per page view), for a "Page 1 of 4,000" nobody pages through. These count
a few pages ahead of the one shown and say "of more than N" beyond that.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from portal.extensions import db

# How far past the page shown the count looks.
PAGES_AHEAD = 10


class ListPage:
    """One page of a list put in order outside the database (`portal.i18n.sort_key`),
    with what templates read of a pagination: items, page, pages, total, prev/next."""

    def __init__(self, items: list, page: int, per_page: int, total: int) -> None:
        self.items = items
        self.page = page
        self.per_page = per_page
        self.total = total
        self.pages = max(1, -(-total // per_page)) if total else 0
        self.has_prev = page > 1
        self.has_next = page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None
        self.total_is_lower_bound = False


class BoundedPagination(SelectPagination):
    """`total` is exact up to `PAGES_AHEAD` pages after this one; past that it is a lower
    bound, and `total_is_lower_bound` is set."""

    total_is_lower_bound = False

    def _query_count(self) -> int:
        counted = (self.page + PAGES_AHEAD) * self.per_page
        rows = self._query_args["select"].options(lazyload("*")).order_by(None).limit(counted + 1).subquery()
        found = self._query_args["session"].execute(select(func.count()).select_from(rows)).scalar_one()
        self.total_is_lower_bound = found > counted
        return min(found, counted)


def paginate_growing(statement: Select, page: int, per_page: int) -> BoundedPagination:
    return BoundedPagination(select=statement, session=db.session(), page=page, per_page=per_page, error_out=False)
