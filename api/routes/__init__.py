"""One router per resource; `ROUTERS` is what `api.app.create_app` mounts, in the order of the API docs."""

from __future__ import annotations

from api.routes import action_items, ask, audit, data, documents, drafts, health, lessons

ROUTERS = [
    health.router,
    data.router,
    ask.router,
    documents.router,
    drafts.router,
    lessons.router,
    action_items.router,
    audit.router,
]
