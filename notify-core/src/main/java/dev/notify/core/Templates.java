package dev.notify.core;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.notify.api.Notification;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Named Mustache templates that render a notification's title and body from its data.
 * Malformed templates are refused at registration; a missing variable fails the publish with
 * the variable's name, so a half-rendered message is never sent.
 */
final class Templates {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,255}");

    /** Plain text: notifications are not HTML; channels that render HTML escape for themselves. */
    private final Mustache.Compiler compiler = Mustache.compiler().escapeHTML(false).strictSections(false);
    private final Map<String, Compiled> templates = new ConcurrentHashMap<>();

    private record Compiled(Template title, Template body) {
    }

    void register(String name, String title, String body) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new TemplateException("template name '" + name + "' is not a name (letters, digits, _ . : / -)");
        }
        Objects.requireNonNull(body, "template text must not be null");
        Template t = title == null ? null : compile(name, "title", title);
        Template b = compile(name, "body", body);
        templates.put(name, new Compiled(t, b));
    }

    Set<String> names() {
        return new TreeSet<>(templates.keySet());
    }

    boolean has(String name) {
        return templates.containsKey(name);
    }

    Notification render(Notification n) {
        if (n.template().isEmpty()) {
            return n;
        }
        String name = n.template().get();
        Compiled c = templates.get(name);
        if (c == null) {
            throw new TemplateException("unknown template '" + name + "'; registered templates: " + names());
        }
        Notification.Builder b = n.toBuilder();
        if (c.title != null) {
            b.title(execute(name, "title", c.title, n.data()));
        }
        b.body(execute(name, "body", c.body, n.data()));
        return b.build();
    }

    private Template compile(String name, String part, String text) {
        try {
            return compiler.compile(text);
        } catch (MustacheException e) {
            throw new TemplateException("template '" + name + "' (" + part + ") is malformed: " + e.getMessage(), e);
        }
    }

    private static String execute(String name, String part, Template t, Map<String, Object> data) {
        try {
            return t.execute(data);
        } catch (MustacheException.Context e) {
            throw new TemplateException("template '" + name + "' (" + part + ") needs '" + e.key + "' (line " + e.lineNo
                    + "), which the notification's data does not have", e);
        } catch (MustacheException e) {
            throw new TemplateException("template '" + name + "' (" + part + ") failed: " + e.getMessage(), e);
        }
    }
}
