"""The app's side of alerts: ring and notify on a firing, open the alerts screen (`!`), and
turn the log's current filter into an alert. A mixin, so app.py gains one line per hook."""

from __future__ import annotations

from textual.app import App

from streamdash.core.alerts import AlertRule
from streamdash.core.collections.models import CollectionError
from streamdash.core.session import AlertFired, Session
from streamdash.ui.screens.alerts import AlertEditScreen, AlertsScreen
from streamdash.ui.widgets.events_pane import EventsPane


def show_alert(app: App[None], event: AlertFired) -> None:
    """Once per burst (the session decides): the bell, and one notification."""
    if event.bell:
        app.bell()
    matches = f"{event.count:,} match" + ("" if event.count == 1 else "es")
    app.notify(f"alert {event.name}: {matches} \u2014 {event.summary}", title="alert", severity="warning")


class AlertActions(App[None]):
    session: Session
    events_pane: EventsPane

    def action_show_alerts(self) -> None:
        self.push_screen(AlertsScreen(self.session.alerts))

    def action_alert_from_filter(self) -> None:
        text = self.events_pane.view.text.strip()
        if not text:
            self.notify("no filter to make an alert of: type one after /", severity="warning")
            return

        def done(rule: AlertRule | None) -> None:
            if rule is None:
                return
            try:
                self.session.alerts.put(rule)
            except CollectionError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"alert {rule.name!r} saved and armed: {rule.filter}")

        self.push_screen(AlertEditScreen("New alert from the filter", filter_text=text), done)
