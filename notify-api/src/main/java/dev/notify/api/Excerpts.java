package dev.notify.api;

/**
 * Short, printable excerpts of text a client sent, for error messages and log lines: an error that
 * quotes a parameter, a frame or a receiver's answer must neither grow with the input nor carry raw
 * control characters (which would forge log lines or SSE frames).
 *
 * <pre>{@code
 * throw new IllegalArgumentException("topic '" + Excerpts.of(topic, 64) + "' is not a topic");
 * }</pre>
 */
@Api(status = Api.Status.INTERNAL, since = "0.4")
public final class Excerpts {

    private Excerpts() {
    }

    /**
     * At most {@code max} characters of {@code text}, control characters written as {@code \u000a},
     * and {@code ...} when it was cut; {@code "null"} for null.
     */
    public static String of(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 3);
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return text.length() > max ? sb.append("...").toString() : sb.toString();
    }
}
