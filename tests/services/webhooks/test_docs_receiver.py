"""The receiver example of docs/webhooks.md, run as written against real deliveries: it verifies
the signature, refuses a forged one and acts on a redelivered event once."""

import re
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from renewals.services import webhooks
from renewals.services.webhook_delivery import deliver_due
from tests.api.mutations.helpers import create
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.webhooks.helpers import attempts, deliveries

DOC = Path(__file__).parents[3] / "docs" / "webhooks.md"


def example() -> dict:
    """The doc's receiver code, executed (not as __main__, so it serves nothing by itself)."""
    text = DOC.read_text()
    code = re.search(r"## A receiver in Python.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {"__name__": "webhooks_doc_example"}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


async def test_the_documented_receiver_verifies_and_deduplicates(client, container):
    doc = example()
    handled: list[dict] = []
    doc["handle"] = handled.append
    server = ThreadingHTTPServer(("127.0.0.1", 0), doc["Receiver"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        await seed(container, document([subscription("SUB-1")]))
        endpoint_id, doc["SECRET"] = await webhooks.create_endpoint(
            container, None, url, ["quote.finalizing"], True
        )
        await create(client, container, ["SUB-1"])
        assert await deliver_due(container) == 1
        (row,) = await deliveries(container)
        await webhooks.redeliver(container, None, row.uid)
        assert await deliver_due(container) == 1
        assert [(e["id"], e["type"]) for e in handled] == [(row.uid, "quote.finalizing")]

        doc["SECRET"] = "whsec_not-the-one"  # a forged signature is refused with 400
        await webhooks.redeliver(container, None, row.uid)
        assert await deliver_due(container) == 0
        assert [a.http_status for a in await attempts(container, row.id)] == [200, 200, 400]
    finally:
        server.shutdown()
        server.server_close()
