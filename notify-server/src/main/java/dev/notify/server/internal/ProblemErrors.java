package dev.notify.server.internal;

import dev.notify.web.Problems;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Makes every error Jetty answers on its own a problem document too, not only the API's: a path
 * nothing serves (404), a method a servlet does not take (405), an exception escaping a servlet
 * (500) and a request too malformed to reach the context (400, 431). Servlet errors go through
 * the standard error-page mechanism to {@link #ERROR_PATH}; requests Jetty refuses before the
 * servlet context get the server-level handler.
 */
public final class ProblemErrors {

    /** Where the context dispatches its errors; a direct request for it answers 404 like any unknown path. */
    public static final String ERROR_PATH = "/_notify/problem";

    private ProblemErrors() {
    }

    /** Installs the problem+json error handling on the server and on its servlet context. */
    public static void install(Server server, ServletContextHandler context) {
        ServletHolder holder = new ServletHolder("problem-errors", new ErrorServlet());
        holder.setAsyncSupported(true);
        context.addServlet(holder, ERROR_PATH);
        // Jetty's stand-in default servlet answers 405 to a DELETE of a path nothing serves; without it every method gets 404
        context.getServletHandler().setEnsureDefaultServlet(false);

        ErrorPageErrorHandler pages = new ErrorPageErrorHandler() {
            @Override
            public boolean errorPageForMethod(String method) {
                // PUT, PATCH and DELETE get a problem document too, not an empty body
                return true;
            }
        };
        pages.addErrorPage(ErrorPageErrorHandler.GLOBAL_ERROR_PAGE, ERROR_PATH);
        context.setErrorHandler(pages);
        server.setErrorHandler(new ServerErrors());
    }

    /** The detail of a Jetty-generated error: Jetty's message when it says more than the reason phrase. */
    static String detail(int status, String method, String path, String message) {
        if (message != null && !message.isBlank() && !message.equals(HttpStatus.getMessage(status))) {
            return message;
        }
        return switch (status) {
            case 404 -> "nothing is served at " + path + "; the HTTP API is under /api/v1/";
            case 405 -> method + " is not allowed on " + path;
            case 500 -> "the server failed to handle the request; see its log";
            default -> HttpStatus.getMessage(status);
        };
    }

    /** The error page of the servlet context: writes the error the container recorded as a problem. */
    private static final class ErrorServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
            int status = code instanceof Integer i ? i : 404;
            Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
            String path = uri instanceof String s ? s : req.getRequestURI();
            String message = (String) req.getAttribute(RequestDispatcher.ERROR_MESSAGE);
            if (code == null) {
                message = null;
            }
            // the error dispatch starts from a reset response: put back the id RequestIds gave the request
            Object requestId = req.getAttribute(RequestIds.KEY);
            if (requestId != null) {
                res.setHeader(RequestIds.HEADER, requestId.toString());
            }
            Problems.write(res, status, HttpStatus.getMessage(status), detail(status, req.getMethod(), path, message), Map.of());
        }
    }

    /** For requests Jetty answers before they reach the servlet context (a malformed URI, oversized headers). */
    private static final class ServerErrors extends ErrorHandler {

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
            String path = request.getHttpURI() == null ? "/" : request.getHttpURI().getPath();
            Object requestId = request.getAttribute(RequestIds.KEY);
            byte[] bytes = Problems.body(code, HttpStatus.getMessage(code), detail(code, request.getMethod(), path, message),
                    requestId == null ? null : requestId.toString());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.MEDIA_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }
}
