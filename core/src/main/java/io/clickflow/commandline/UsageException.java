package io.clickflow.commandline;

/** A bad command line: the message is the one line the user sees before anything starts. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
