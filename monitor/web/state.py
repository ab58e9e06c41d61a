"""What every request shares: the configuration (re-read when the file changes, the last good
one kept while the file does not load) and read-only database connections, the
same kind `portalwatch query` opens (monitor/analyst/query.py: mode=ro, query_only, an authorizer
that allows reading only), leased to a request for its duration."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from monitor.analyst.query import connect as connect_readonly
from monitor.config import Config, ConfigError, load_config


class ConfigCache:
    """load_config, again only when the file's size or modification time changed."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._config: Config | None = None
        self.error: str | None = None  # the current file's problem, while the last good one serves
        self._lock = threading.Lock()

    def get(self) -> Config:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp or self._config is None:
                try:
                    self._config, self.error = load_config(self.path), None
                except ConfigError as e:
                    self.error = str(e)
                    if self._config is None:
                        raise
                self._stamp = stamp
            return self._config


class Readers:
    """Read-only connections shared by the worker threads that run the pages (Starlette's thread
    pool): a request leases the most recently used idle one — its page cache is warm — and gives
    it back, so a few connections serve every request whichever thread runs it."""

    def __init__(self, db_path: str | os.PathLike):
        self.path = Path(db_path)
        self._local = threading.local()
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @contextmanager
    def lease(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for one request."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = connect_readonly(self.path)
        self._local.leased, self._local.db = conn, None
        try:
            yield conn
        finally:
            self._local.leased = self._local.db = None
            with self._lock:
                self._idle.append(conn)

    def conn(self) -> sqlite3.Connection:
        """The leased connection; outside a lease (a background thread), one of the thread's own."""
        conn = getattr(self._local, "leased", None) or getattr(self._local, "own", None)
        if conn is None:
            conn = self._local.own = connect_readonly(self.path)
        return conn

    def db(self) -> sqlite_utils.Database:
        """The same connection as sqlite-utils wants it (digest code reads through it)."""
        db = getattr(self._local, "db", None)
        if db is None or db.conn is not self.conn():
            db = self._local.db = sqlite_utils.Database(self.conn(), recursive_triggers=False)
        return db


@dataclass
class State:
    config_path: Path
    db_path: Path
    configs: ConfigCache
    readers: Readers

    @classmethod
    def open(cls, config_path: str | os.PathLike, db_path: str | os.PathLike) -> State:
        """Check both files now (one clear error, not a failing first page) and migrate the
        database (the indexes the pages read through)."""
        from monitor.store.connect import open_db

        configs = ConfigCache(config_path)
        configs.get()
        open_db(db_path).conn.close()
        return cls(Path(config_path), Path(db_path), configs, Readers(db_path))

    @property
    def config(self) -> Config:
        return self.configs.get()
