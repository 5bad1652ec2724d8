"""The access log never shows a checkout token."""


def test_the_access_log_never_shows_a_checkout_token():
    import logging

    from renewals.app import RedactTokens

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/checkout?token=eyJ.secret.sig", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /checkout?token=[redacted] HTTP/1.1" 200'
