"""httpbin (the real one, from PyPI) under werkzeug's WSGI server on 127.0.0.1, on its own thread.

Used where a reference server is worth more than one of ours: its digest auth-int endpoint
checks the body hash as RFC 7616 says, so our client is tested against someone else's reading.
"""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import make_server


class HttpbinServer:
    def __init__(self) -> None:
        logging.getLogger("httpbin").setLevel(logging.ERROR)  # "flasgger is not installed"
        from httpbin import app

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HttpbinServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()
