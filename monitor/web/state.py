"""What every request shares: the configuration (re-read when the file changes, the last good
one kept while the file does not load) and read-only database connections, one per thread, the
same kind `portalwatch query` opens (monitor/analyst/query.py: mode=ro, query_only, an authorizer
that allows reading only)."""

from __future__ import annotations

import os
import sqlite3
import threading
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
    """A read-only connection per thread (Starlette runs page functions in a thread pool)."""

    def __init__(self, db_path: str | os.PathLike):
        self.path = Path(db_path)
        self._local = threading.local()

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_readonly(self.path)
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
