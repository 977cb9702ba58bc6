package dev.notify.server.internal.web;

import dev.notify.api.spi.JsonCodec;
import dev.notify.server.internal.Authenticator;
import dev.notify.server.internal.JettyWebRegistry;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * The people's side of the server: the inbox page ({@code /}, {@code /inbox}), the admin page
 * ({@code /admin}), the browser client ({@code /notify-client.js}), their assets ({@code /ui/*})
 * and the OpenAPI description ({@code /api/v1/openapi.json}), all served without credentials (the pages ask
 * for them and call the API like any other client), plus the development-only token endpoint.
 */
public final class WebUi {

    private static final Logger LOG = LoggerFactory.getLogger(WebUi.class);
    /** The path of the development-only token endpoint. */
    public static final String DEV_TOKENS = "/api/v1/dev/tokens";
    /** Where the OpenAPI description of the HTTP API is served, without credentials. */
    public static final String OPENAPI = "/api/v1/openapi.json";

    private WebUi() {
    }

    /** Mounts the pages and the dev-token endpoint, and reserves their paths against channels. */
    public static void mount(ServletContextHandler context, JettyWebRegistry web, Authenticator auth, JsonCodec json,
                             Clock clock, boolean devTokens) {
        // "" is the context root exactly, so unknown paths keep Jetty's plain 404
        String[] pages = {"", "/inbox", "/admin", "/notify-client.js", "/ui/*", OPENAPI};
        mount(context, new ServletHolder("web-ui", new StaticServlet()), pages);
        for (String spec : pages) {
            if (!spec.isEmpty()) {
                web.reserve(spec, "the server's web pages");
            }
        }
        mount(context, new ServletHolder("dev-tokens", new DevTokenServlet(auth, json, clock, devTokens)), DEV_TOKENS);
        web.reserve(DEV_TOKENS, "the server");
        if (devTokens) {
            LOG.warn("--dev-tokens is on: the API key can mint user tokens at {} (development only)", DEV_TOKENS);
        }
    }

    private static void mount(ServletContextHandler context, ServletHolder holder, String... pathSpecs) {
        context.getServletHandler().addServlet(holder);
        ServletMapping mapping = new ServletMapping();
        mapping.setServletName(holder.getName());
        mapping.setPathSpecs(pathSpecs);
        context.getServletHandler().addServletMapping(mapping);
    }
}
