package dev.notify.store.jdbc;

import java.util.regex.Pattern;

/** Keeps passwords out of anything that describes a JDBC URL. */
final class Redaction {

    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    private Redaction() {
    }

    static String url(String url) {
        return PASSWORD.matcher(url).replaceAll("$1***");
    }
}
