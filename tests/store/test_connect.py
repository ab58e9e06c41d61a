"""Opening one new database from several connections at once (two crawls starting together)."""

import threading

from monitor.store.connect import open_db

ROUNDS, CONNECTIONS = 60, 6


def _open(path, start: threading.Barrier, modes: list, errors: list) -> None:
    start.wait()
    try:
        db = open_db(path)
        modes.append(db.conn.execute("PRAGMA journal_mode").fetchone()[0])
        db.conn.close()
    except Exception as e:  # noqa: BLE001 - collected and asserted by the test
        errors.append(repr(e))


def test_many_connections_opening_a_new_database_at_once_all_succeed(tmp_path):
    for round_ in range(ROUNDS):
        start, modes, errors = threading.Barrier(CONNECTIONS), [], []
        args = (tmp_path / f"new-{round_}.db", start, modes, errors)
        threads = [threading.Thread(target=_open, args=args) for _ in range(CONNECTIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and modes == ["wal"] * CONNECTIONS, (round_, errors, modes)
