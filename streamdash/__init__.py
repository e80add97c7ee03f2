"""streamdash: watch live Server-Sent-Events streams and the REST API beside them."""

__version__ = "0.1.0"
