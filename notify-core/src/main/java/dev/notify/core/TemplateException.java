package dev.notify.core;

/** A template is malformed, unknown, or needs data the notification does not carry. */
public final class TemplateException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    TemplateException(String message, Throwable cause) {
        super(message, cause);
    }

    TemplateException(String message) {
        super(message);
    }
}
