"""Exporting a collection for the tools people share with: Postman v2.1 and `.http` files.
Both write the requests as saved (their `{{variables}}`, never a value from the secrets file or
the process environment), so an export is safe to send to a colleague."""
