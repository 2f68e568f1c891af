package io.clickflow.api;

/** A request the API refuses with 400: the message is the one line the client reads. Nothing is counted. */
final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    BadRequest(String reason) {
        super(reason, null, false, false); // thrown per bad request: no stack trace to fill
    }
}
