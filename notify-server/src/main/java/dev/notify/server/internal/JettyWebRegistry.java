package dev.notify.server.internal;

import dev.notify.api.Identity;
import dev.notify.api.spi.WebRegistry;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's {@link WebRegistry}: mounts channels' servlets and WebSocket endpoints on the
 * Jetty context. Built before the engine so channels can register while they are created; Jetty
 * starts afterwards.
 *
 * <p>WebSocket endpoints are not added to the container's path mappings. Instead each one gets
 * a servlet at its path that upgrades programmatically
 * ({@link ServerContainer#upgradeHttpToWebSocket}): the request passes the auth filter first like
 * any {@code /api/} request, and the upgrade uses a copy of the endpoint's config whose user
 * properties hold the caller's {@link Identity} under {@link Identity#REQUEST_ATTRIBUTE}. An
 * endpoint's {@code ServerEndpointConfig.Configurator#modifyHandshake} reads it from its
 * {@code sec.getUserProperties()}; the session sees it in {@code session.getUserProperties()}.
 */
public final class JettyWebRegistry implements WebRegistry {

    private static final Set<String> TYPES = Set.of(Servlet.class.getName(), ServerEndpointConfig.class.getName());

    private final ServletContextHandler context;
    private final Map<String, String> taken = new ConcurrentHashMap<>();

    /** A registry mounting on {@code context}; enables Jakarta WebSocket on it. */
    public JettyWebRegistry(ServletContextHandler context) {
        this.context = context;
        JakartaWebSocketServletContainerInitializer.configure(context, null);
    }

    @Override
    public Set<String> supportedTypes() {
        return TYPES;
    }

    @Override
    public <T> void register(String pathSpec, Class<T> type, T handler) {
        if (pathSpec == null || !pathSpec.startsWith("/")) {
            throw new IllegalArgumentException("path spec must start with '/', got " + pathSpec);
        }
        if (type == null || handler == null) {
            throw new IllegalArgumentException("type and handler must not be null");
        }
        if (Servlet.class.equals(type)) {
            mount(pathSpec, (Servlet) handler, "servlet " + handler.getClass().getName());
        } else if (ServerEndpointConfig.class.equals(type)) {
            ServerEndpointConfig config = (ServerEndpointConfig) handler;
            if (!config.getPath().equals(pathSpec)) {
                throw new IllegalArgumentException("WebSocket endpoint path " + config.getPath() + " differs from the path spec " + pathSpec);
            }
            mount(pathSpec, new UpgradeServlet(config), "WebSocket endpoint " + config.getEndpointClass().getName());
        } else {
            throw new IllegalArgumentException("handler type " + type.getName() + " is not supported; use one of " + TYPES);
        }
    }

    private void mount(String pathSpec, Servlet servlet, String what) {
        String before = taken.putIfAbsent(pathSpec, what);
        if (before != null) {
            throw new IllegalArgumentException("path " + pathSpec + " is taken by " + before);
        }
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        holder.setName(what + "@" + pathSpec);
        context.addServlet(holder, pathSpec);
    }

    /** Marks a path as the server's own, so a channel cannot take it. */
    public void reserve(String pathSpec, String what) {
        taken.putIfAbsent(pathSpec, what);
    }

    /** Upgrades an authenticated request to the endpoint, with the caller's identity in the config's user properties. */
    private static final class UpgradeServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        private final transient ServerEndpointConfig config;

        UpgradeServlet(ServerEndpointConfig config) {
            this.config = config;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws ServletException, IOException {
            ServerContainer container = (ServerContainer) req.getServletContext().getAttribute(ServerContainer.class.getName());
            if (container == null || !"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                res.sendError(400, "expected a WebSocket upgrade request");
                return;
            }
            ServerEndpointConfig perRequest = ServerEndpointConfig.Builder.create(config.getEndpointClass(), config.getPath())
                    .configurator(config.getConfigurator())
                    .subprotocols(config.getSubprotocols())
                    .extensions(config.getExtensions())
                    .encoders(config.getEncoders())
                    .decoders(config.getDecoders())
                    .build();
            perRequest.getUserProperties().putAll(config.getUserProperties());
            // what the auth filter and the stream admission decided, for the endpoint's onOpen
            for (String key : List.of(Identity.REQUEST_ATTRIBUTE, Identity.EXPIRES_AT_ATTRIBUTE, WebRegistry.STREAM_REFUSED_ATTRIBUTE)) {
                Object value = req.getAttribute(key);
                if (value != null) {
                    perRequest.getUserProperties().put(key, value);
                }
            }
            try {
                container.upgradeHttpToWebSocket(req, res, perRequest, Map.of());
            } catch (DeploymentException e) {
                throw new ServletException("cannot upgrade to " + config.getPath() + ": " + e.getMessage(), e);
            }
        }
    }
}
