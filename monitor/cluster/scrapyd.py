"""A small client of Scrapyd's JSON API (stdlib only). Every failure is a NodeError with one line
that names the node: unreachable, timed out, HTTP status, or Scrapyd's own message."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid


class NodeError(Exception):
    """A Scrapyd node did not do what was asked (the message is one line)."""


class MalformedAnswer(NodeError):
    """The node answered, but not what Scrapyd answers (bad JSON, a cut feed or connection): the
    node is faulty, not merely busy."""


class Node:
    def __init__(self, url: str, *, auth: tuple[str, str] | None = None, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode() if auth else None

    def __repr__(self) -> str:
        return f"Node({self.url})"

    # -- transport ---------------------------------------------------------------------------
    def _open(self, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.url + path, data=data, headers=dict(headers or {}))
        if self._auth:
            req.add_header("Authorization", self._auth)
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            detail = e.read(300).decode("utf-8", "replace").strip().splitlines()
            raise NodeError(f"{self.url}: HTTP {e.code} on {path.split('?')[0]}"
                            + (f": {detail[0][:200]}" if detail else "")) from None
        except TimeoutError:
            raise NodeError(f"{self.url}: no answer within {self.timeout:g}s") from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise NodeError(f"{self.url}: no answer within {self.timeout:g}s") from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise NodeError(f"{self.url}: unreachable ({text})") from None
        except (ConnectionError, OSError) as e:
            raise NodeError(f"{self.url}: unreachable ({e.strerror or e})") from None
        except http.client.HTTPException as e:  # a status line or headers that are not HTTP
            raise MalformedAnswer(f"{self.url}: not an HTTP answer on {path.split('?')[0]} ({_name(e)})") from None

    def _json(self, path: str, fields: list[tuple[str, str]] | None = None, *, files=None) -> dict:
        if files:
            data, ctype = _multipart(fields or [], files)
            resp = self._open(path, data, {"Content-Type": ctype})
        elif fields is not None:
            resp = self._open(path, urllib.parse.urlencode(fields).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
        else:
            resp = self._open(path)
        try:
            with resp:
                body = json.loads(resp.read().decode("utf-8"))
        except (ValueError, OSError, http.client.HTTPException) as e:
            raise MalformedAnswer(f"{self.url}: not a Scrapyd answer on {path.split('?')[0]} ({_name(e)})") from None
        if not isinstance(body, dict):
            raise MalformedAnswer(f"{self.url}: not a Scrapyd answer on {path.split('?')[0]}"
                                  f" (a JSON {type(body).__name__}, expected an object)")
        if body.get("status") != "ok":
            raise NodeError(f"{self.url}: {path.split('?')[0]}: {str(body.get('message', body))[:300]}")
        return body

    # -- the API -------------------------------------------------------------------------------
    def daemonstatus(self) -> dict:
        return self._json("/daemonstatus.json")

    def schedule(self, project: str, spider: str, args: dict[str, str], settings: dict[str, str],
                 jobid: str | None = None) -> str:
        fields = [("project", project), ("spider", spider), ("jobid", jobid or uuid.uuid4().hex)]
        fields += [("setting", f"{k}={v}") for k, v in settings.items()]
        fields += list(args.items())
        return self._json("/schedule.json", fields)["jobid"]

    def listjobs(self, project: str) -> dict:
        return self._json("/listjobs.json?" + urllib.parse.urlencode({"project": project}))

    def job_states(self, project: str) -> dict[str, str]:
        """listjobs.json as job id -> 'pending', 'running' or 'finished' (MalformedAnswer when the answer is not
        Scrapyd's: a list that is not a list, an entry without a string id)."""
        body = self.listjobs(project)
        out: dict[str, str] = {}
        for kind in ("pending", "running", "finished"):
            entries = body.get(kind, [])
            if not isinstance(entries, list):
                raise MalformedAnswer(f"{self.url}: not a Scrapyd answer on /listjobs.json ({kind!r} is not a list)")
            for x in entries:
                if not isinstance(x, dict) or not isinstance(x.get("id"), str):
                    raise MalformedAnswer(f"{self.url}: not a Scrapyd answer on /listjobs.json"
                                          f" (a {kind} job without an id: {str(x)[:80]})")
                out[x["id"]] = kind
        return out

    def cancel(self, project: str, job: str) -> dict:
        return self._json("/cancel.json", [("project", project), ("job", job)])

    def listprojects(self) -> list[str]:
        return self._json("/listprojects.json")["projects"]

    def listversions(self, project: str) -> list[str]:
        return self._json("/listversions.json?" + urllib.parse.urlencode({"project": project}))["versions"]

    def listspiders(self, project: str) -> list[str]:
        return self._json("/listspiders.json?" + urllib.parse.urlencode({"project": project}))["spiders"]

    def addversion(self, project: str, version: str, egg: bytes) -> dict:
        return self._json("/addversion.json", [("project", project), ("version", version)],
                          files={"egg": ("project.egg", egg)})

    def feed(self, project: str, spider: str, job: str) -> bytes | None:
        """The job's items (JSON Lines) over HTTP; None when the node has no such feed."""
        path = f"/items/{urllib.parse.quote(project)}/{urllib.parse.quote(spider)}/{urllib.parse.quote(job)}.jl"
        try:
            with self._open(path) as resp:
                return resp.read()
        except NodeError as e:
            if "HTTP 404" in str(e):
                return None
            raise
        except (OSError, http.client.HTTPException) as e:  # the connection broke while reading
            raise MalformedAnswer(f"{self.url}: feed of job {job} cut off ({_name(e)})") from None


def _name(e: Exception) -> str:
    """An exception in one short line (IncompleteRead's repr carries the bytes read)."""
    if isinstance(e, http.client.IncompleteRead):
        return f"IncompleteRead: {len(e.partial)} bytes read, {e.expected} more expected"
    return f"{type(e).__name__}: {str(e)[:200]}"


def _multipart(fields: list[tuple[str, str]], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for k, v in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
    for k, (name, blob) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        out += blob + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"
