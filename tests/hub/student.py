"""A student on the hub, as their browser talks to it: sign in, click the nbgitpuller link, and run
cells in a kernel of their own server.

The browser's part is emulated over HTTP, step by step as JupyterHub's and nbgitpuller's pages do
it: the login form; the "server not running" page's launch link and the progress page; the
git-pull page, whose script opens the pull's event stream (`git-pull/api`) and, when it reports
"finished", goes to the link's `urlpath`. Kernels are started through the student's server REST
API (`/user/NAME/api/kernels`) with the student's own token, and cells are sent over the kernel's
websocket in Jupyter's JSON message format, one after the other, as JupyterLab sends them.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlparse

import nbformat
import requests
import websocket   # websocket-client, a dependency of jupyter_server

from .server import Hub

FAILED_CLAIM = "✗ claim does not hold"


class PullFailed(RuntimeError):
    """nbgitpuller's event stream reported an error."""


class Student:
    """One student: a browser session on `hub` and, once `create_token` ran, an API token."""

    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.browser = requests.Session()
        self.server = f"{hub.url}/user/{name}/"
        self.token: str | None = None

    def _xsrf(self) -> str:
        return self.browser.cookies.get("_xsrf", path="/hub/") or ""

    def sign_in(self, password: str | None = None, *, page: requests.Response | None = None
                ) -> requests.Response:
        """Fill in the hub's login form (the one on `page`, else /hub/login) and submit it."""
        page = page or self.browser.get(f"{self.hub.url}/hub/login", timeout=30)
        return self.browser.post(page.url, timeout=60, data={
            "username": self.name, "password": self.hub.password if password is None else password,
            "_xsrf": self._xsrf()})

    def click(self, link: str, timeout: float = 300) -> list[str]:
        """Click nbgitpuller `link`: sign in if asked, launch the server if it is not running,
        run the pull as the git-pull page's script does, then open the page the link names.
        Returns the pull's output lines; raises PullFailed if nbgitpuller reports an error."""
        deadline = time.monotonic() + timeout
        page = self.browser.get(link, timeout=60)
        if urlparse(page.url).path.endswith("/hub/login"):
            page = self.sign_in(page=page)
        if page.status_code == 424:                 # "server not running": press its Launch button
            launch = re.search(r'href="([^"]*/hub/spawn/[^"]*)"', page.text)
            assert launch, f"no launch link on the hub's 'not running' page:\n{page.text[:2000]}"
            page = self.browser.get(urljoin(page.url, html.unescape(launch.group(1))), timeout=60)
        while "/hub/spawn-pending/" in urlparse(page.url).path:     # the launch progress page
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}'s server did not start in {timeout:g} s:\n"
                                   f"{self.hub.log_tail()}")
            time.sleep(0.5)
            page = self.browser.get(page.url, timeout=60)
        assert page.status_code == 200 and urlparse(page.url).path == f"/user/{self.name}/git-pull", (
            f"the link led to {page.url} ({page.status_code}), not {self.name}'s git-pull page")
        data = {key: unquote(value) for key, value in re.findall(r'data-([a-z-]+)="([^"]*)"', page.text)}
        params = {"_xsrf": data["xsrf"], "repo": data["repo"], "targetpath": data["targetpath"]}
        params.update({key: data[key] for key in ("depth", "branch") if key in data})
        output = []
        with self.browser.get(urljoin(page.url, f"{data['base-url']}git-pull/api"), params=params,
                              stream=True, timeout=max(deadline - time.monotonic(), 1)) as events:
            for line in events.iter_lines(decode_unicode=True):
                if not line or not line.startswith("data: "):
                    continue
                event = json.loads(line.removeprefix("data: "))
                if event.get("phase") == "error":
                    raise PullFailed(f"{self.name}'s pull failed: {event.get('message')}\n"
                                     f"{event.get('output', '')}")
                if event.get("phase") == "finished":
                    break
                output.append(event.get("output", "").rstrip("\n"))
            else:
                raise PullFailed(f"{self.name}'s pull stream ended before 'finished':\n" + "\n".join(output))
        opened = self.browser.get(urljoin(page.url, data["base-url"] + data["path"]), timeout=60)
        assert opened.status_code == 200, f"{opened.url} answered {opened.status_code}"
        return output

    def create_token(self) -> str:
        """An API token of the student's own, asked of the hub's API with the student's signed-in
        browser session (its cookie and XSRF header), as the hub's token page does."""
        response = self.browser.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", timeout=30,
                                     json={"note": "course test", "expires_in": 3600},
                                     headers={"X-XSRFToken": self._xsrf()})
        response.raise_for_status()
        self.token = response.json()["token"]
        return self.token

    def api(self, method: str, path: str, *, server: str | None = None, **kwargs) -> requests.Response:
        """A request to a server's REST API (`server`, default the student's own) with the
        student's token and no browser cookie, so the token alone decides."""
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{server or self.server}api/{path}", headers=headers,
                                timeout=60, **kwargs)

    def stop_server(self, timeout: float = 120) -> None:
        """Stop the student's server through the hub's API (as the hub's "Stop My Server" does)
        and wait until the hub reports it stopped."""
        headers = {"Authorization": f"token {self.token}"}
        user = f"{self.hub.url}/hub/api/users/{self.name}"
        response = requests.delete(f"{user}/server", headers=headers, timeout=timeout)
        assert response.status_code in (202, 204), f"stopping {self.name}'s server: {response.status_code}"
        deadline = time.monotonic() + timeout
        while requests.get(user, headers=headers, timeout=30).json()["servers"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}'s server did not stop in {timeout:g} s")
            time.sleep(0.5)

    def notebook(self, path: str) -> nbformat.NotebookNode:
        """The notebook at `path` as the student's server reads it (contents API)."""
        response = self.api("GET", f"contents/{path}", params={"type": "notebook", "content": 1})
        response.raise_for_status()
        return nbformat.from_dict(response.json()["content"])

    def save(self, path: str, nb: nbformat.NotebookNode) -> None:
        """Save `nb` at `path`, as JupyterLab's save does."""
        response = self.api("PUT", f"contents/{path}", json={"type": "notebook", "format": "json",
                                                               "content": nb})
        response.raise_for_status()

    def delete(self, path: str) -> None:
        response = self.api("DELETE", f"contents/{path}")
        assert response.status_code == 204, f"deleting {path}: {response.status_code} {response.text}"


@dataclass
class Cell:
    """What one cell did: its outputs (nbformat dicts, as a front end keeps them), every text it
    showed (also what a clear_output removed), and the error it raised, if any."""

    outputs: list = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def text(self) -> str:
        """Every text the cell showed, one output per line."""
        return "\n".join(text.rstrip("\n") for text in self.texts)


class Kernel:
    """A kernel of `student`'s server, started through its REST API in folder `path` (relative to
    the server's root: the kernel's working directory, as JupyterLab sets it to the notebook's
    folder), driven over its websocket."""

    def __init__(self, student: Student, path: str, *, timeout: float = 120):
        self.student = student
        response = student.api("POST", "kernels", json={"name": "python3", "path": path})
        assert response.status_code == 201, f"starting a kernel: {response.status_code} {response.text}"
        self.id = response.json()["id"]
        self.session = uuid.uuid4().hex
        url = student.server.replace("http", "ws", 1) + f"api/kernels/{self.id}/channels"
        self.socket = websocket.create_connection(f"{url}?session_id={self.session}", timeout=timeout,
                                                  header=[f"Authorization: token {student.token}"])
        self._request("kernel_info_request", {}, "shell", timeout=timeout)

    def _send(self, msg_type: str, content: dict, channel: str) -> str:
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": self.student.name,
                       "session": self.session, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel}))
        return msg_id

    def _replies(self, msg_id: str, timeout: float):
        """Messages in reply to `msg_id`, until `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.student.name}'s kernel sent no reply in {timeout:g} s")
            self.socket.settimeout(left)
            try:
                msg = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg

    def _request(self, msg_type: str, content: dict, channel: str, *, timeout: float) -> dict:
        msg_id = self._send(msg_type, content, channel)
        for msg in self._replies(msg_id, timeout):
            if msg["msg_type"] == msg_type.replace("_request", "_reply"):
                return msg

    def execute(self, code: str, *, timeout: float = 300) -> Cell:
        """Run `code` as a cell; return when the kernel is idle again."""
        msg_id = self._send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}, "shell")
        cell, replied, idle = Cell(), False, False
        for msg in self._replies(msg_id, timeout):
            kind, content = msg["msg_type"], msg["content"]
            if kind in ("stream", "display_data", "execute_result", "error"):
                cell.outputs.append(nbformat.v4.output_from_msg(msg))
                data = content.get("data", {})
                shown = [str(data[mime]) for mime in ("text/plain", "text/html", "text/markdown") if mime in data]
                cell.texts += [content.get("text", ""), *shown]
                if kind == "error":
                    cell.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "clear_output":
                cell.outputs.clear()
            elif kind == "execute_reply":
                replied = True
                if content.get("status") == "error" and cell.error is None:
                    cell.error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            if replied and idle:
                return cell

    def shutdown(self) -> None:
        try:
            self.socket.close()
        finally:
            self.student.api("DELETE", f"kernels/{self.id}")
