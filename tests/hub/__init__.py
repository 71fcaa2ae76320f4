"""A throwaway JupyterHub on 127.0.0.1 and the students who use it, for tests/test_hub.py and
benchmarks/hub.py.

- server.py: the hub with its real proxy (configurable-http-proxy), a shared-password login and
  a local spawner giving each student a home folder of their own; every process it starts is
  found (and stopped) by a marker in its environment, and measured while it runs.
- student.py: a student's browser, emulated over HTTP: sign in, click the nbgitpuller link (start
  the server when the hub asks, follow the pull's event stream as the page's script does), and
  a kernel in the student's own server driven over its websocket.
- course.py: the course as the hub sees it: a local git "origin" of this working tree, the
  README's nbgitpuller link and Zero to JupyterHub config fragment.
"""
