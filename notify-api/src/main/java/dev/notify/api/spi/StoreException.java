package dev.notify.api.spi;

import dev.notify.api.Api;

/** A store could not do what was asked (database unreachable, transaction failed, ...). Nothing was half-done. */
@Api(status = Api.Status.STABLE, since = "0.1")
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An error with a message and a cause. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error with a message. */
    public StoreException(String message) {
        super(message);
    }
}
