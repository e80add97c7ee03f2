"""The command palette's entries: every main action, by name (Ctrl+P)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from textual.app import SystemCommand

if TYPE_CHECKING:
    from streamdash.core.session import Session
    from streamdash.ui.widgets.events_pane import EventsPane
    from streamdash.ui.widgets.requests_tree import RequestsTree


class Dashboard(Protocol):
    """What the palette calls on the app (a protocol, so this module needs no import of it)."""

    session: Session
    requests_tree: RequestsTree
    events_pane: EventsPane

    def action_restart_stream(self) -> None: ...
    def action_toggle_record(self) -> None: ...
    def action_switch_environment(self) -> None: ...
    def action_show_history(self) -> None: ...
    def action_show_cookies(self) -> None: ...
    def action_run_collection(self) -> None: ...
    def action_clear_log(self) -> None: ...
    def action_export_log(self) -> None: ...
    def action_toggle_text(self) -> None: ...
    def action_cycle_text_size(self) -> None: ...
    def action_export_stats(self) -> None: ...
    def action_save_collection_as(self) -> None: ...
    def action_show_messages(self) -> None: ...
    def action_toggle_chart(self) -> None: ...
    def action_plot_field(self) -> None: ...
    def action_show_alerts(self) -> None: ...
    def action_alert_from_filter(self) -> None: ...


def palette_commands(app: Dashboard) -> Iterator[SystemCommand]:
    tree = app.requests_tree
    events = app.events_pane
    yield SystemCommand("Run or stop the selected request", "Send a REST request, or start/stop a stream (Enter)", tree.action_run)
    yield SystemCommand("Restart the selected stream", "Drop the connection and resume at once (Ctrl+T)", app.action_restart_stream)
    yield SystemCommand("Alerts", "Add, edit, delete, arm or disarm the collection's alerts (!)", app.action_show_alerts)
    yield SystemCommand("Make the filter an alert", "Save the event log's filter as an alert, asking for a name", app.action_alert_from_filter)
    yield SystemCommand("Stop all streams", "Close every running stream", app.session.stop_all)
    yield SystemCommand("Record the selected stream", "Start or stop recording it to a file (R)", app.action_toggle_record)
    yield SystemCommand("Record all streams", "Record every running stream, and those started later", app.session.record_all)
    yield SystemCommand("Stop recording", "Close the recording file", app.session.stop_recording)
    yield SystemCommand("New request", "Create a request in this collection (n)", tree.action_new)
    yield SystemCommand("Edit request", "Edit the selected request (e)", tree.action_edit)
    yield SystemCommand("Duplicate request", "Copy the selected request (c)", tree.action_duplicate)
    yield SystemCommand("Rename request", "Rename the selected request (r)", tree.action_rename)
    yield SystemCommand("Delete request", "Delete the selected request file (Delete)", tree.action_delete)
    yield SystemCommand("Filter events", "Focus the filter bar (/)", events.focus_filter)
    yield SystemCommand("Invert filter", "Show the events the filter does not match (i)", events.toggle_invert)
    yield SystemCommand("Find or filter mode", "All events with matches lit, or only the matches (f in the log)", events.log_view.action_toggle_find)
    yield SystemCommand("Next match", "Cursor to the next matching event (n in the log)", events.log_view.action_next_match)
    yield SystemCommand("Previous match", "Cursor to the previous matching event (N in the log)", events.log_view.action_previous_match)
    yield SystemCommand("Next gap", f"Cursor to the next pause over {events.log_view.gap_seconds:g} s or missing id of one stream (> in the log)", events.log_view.action_next_gap)
    yield SystemCommand("Previous gap", "Cursor to the previous pause or missing id (< in the log)", events.log_view.action_previous_gap)
    yield SystemCommand("Set the gap threshold", "Seconds of pause that make a gap, for > and < and the since column (this session)", events.log_view.ask_gap_threshold)
    yield SystemCommand("Jump to a time", "Cursor to the first event at or after 14:03:12, 14:03, -5m... (t in the log)", events.log_view.action_jump_to_time)
    yield SystemCommand("Show time since previous", "A column of the time since each stream's previous event, before the data (D in the log)", events.log_view.action_toggle_since)
    yield SystemCommand("Cycle stream scope", "Show all streams or one (s)", events.cycle_scope)
    yield SystemCommand("Pause or follow the log", "Stop or resume the live tail (p)", events.toggle_pause)
    yield SystemCommand("Hide or show heartbeats", "Typed heartbeats (ping...) stay in the buffer, counted while hidden (H)", events.toggle_heartbeats)
    yield SystemCommand("Hide or show the assembled text", "An LLM stream's answer beside or under the log (a)", app.action_toggle_text)
    yield SystemCommand("Resize the assembled text", "Small, medium or large; the data keeps 60 % of the log's width (A)", app.action_cycle_text_size)
    yield SystemCommand("Pick a column", "A JSON field of the selected event as a column of its stream (c in the log)", events.json_columns.pick_selected_column)
    yield SystemCommand("Save the columns to the request", "Write the stream's columns and template to its [stream] settings (no restart)", events.json_columns.save_columns)
    yield SystemCommand("Clear the columns", "Show the stream's raw data again (columns and template)", events.json_columns.clear_columns)
    yield SystemCommand("Set a display template", 'The stream\'s JSON data as "{level} {service}: {msg}"', events.json_columns.ask_template)
    yield SystemCommand("Plot a field of the selected event", "A number of its JSON against time, in the chart (v)", app.action_plot_field)
    yield SystemCommand("Show or hide the chart", "Plotted fields, events/s per type, connection timelines (C; 5/F8 go to it)", app.action_toggle_chart)
    yield SystemCommand("Clear the retained events", "Forget every event the log holds (asks first)", app.action_clear_log)
    yield SystemCommand("Switch environment", "Choose one of env/*.toml (F6)", app.action_switch_environment)
    yield SystemCommand("Edit environments and variables", "Add, edit, delete env/*.toml; e on 'no environment': the collection's variables (E)", app.action_switch_environment)
    yield SystemCommand("Reload collection", "Read the collection from disk again", app.session.reload)
    yield SystemCommand("History", "This collection's past sends: open one, send it again, diff two (F7)", app.action_show_history)
    yield SystemCommand("Cookies", "The session's cookie jar: see, reveal, delete (K)", app.action_show_cookies)
    yield SystemCommand("Run the collection", "Send every REST request in order and check the answers", app.action_run_collection)
    yield SystemCommand("Export the log", "The filtered events as JSON lines or CSV (by the file's ending)", app.action_export_log)
    yield SystemCommand("Export stats", "A stats snapshot as JSON", app.action_export_stats)
    yield SystemCommand("Copy request as curl", "A command a shell runs back to this request", tree.action_copy_curl)
    yield SystemCommand("Import a curl command", "Paste curl (any length); it becomes a saved request", tree.action_import_curl)
    yield SystemCommand("Import a .http file", "JetBrains / VS Code REST Client requests", tree.action_import_http_file)
    yield SystemCommand("Import a collection file", "Postman (and environments), Insomnia, OpenAPI, HAR; a Bruno or Posting folder", tree.action_import_collection)
    yield SystemCommand("Export the collection to Postman", "A Postman v2.1 collection file (placeholders, never secrets)", lambda: tree.export_collection("postman"))
    yield SystemCommand("Export the collection as .http", "A .http file for JetBrains / VS Code REST Client", lambda: tree.export_collection("http"))
    yield SystemCommand("Save the collection as...", "Copy this collection's folder somewhere to keep", app.action_save_collection_as)
    yield SystemCommand("Messages", "Every notification of the session, whole, newest first (Ctrl+N)", app.action_show_messages)
