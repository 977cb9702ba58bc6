package dev.notify.server.internal.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The SLF4J backend of {@code --log-format json}: one JSON object per line on stderr, with the
 * request id of the request being handled (the {@code requestId} MDC key) where there is one.
 * It is chosen by name through SLF4J's {@code slf4j.provider} property before anything logs (see
 * {@code LogFormat}) and deliberately not listed in {@code META-INF/services}, so the plain
 * slf4j-simple backend stays the only one SLF4J discovers on its own. Levels: INFO and above, or
 * what {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} says, as with the plain backend.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {

    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final BasicMarkerFactory markers = new BasicMarkerFactory();
    private final BasicMDCAdapter mdc = new BasicMDCAdapter();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, n -> new JsonLogger(n, threshold(), System.err, mdc));

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up: loggers are created on demand
    }

    private static int threshold() {
        String level = System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "info").trim().toUpperCase(Locale.ROOT);
        try {
            return org.slf4j.event.Level.valueOf(level).toInt();
        } catch (IllegalArgumentException e) {
            return org.slf4j.event.Level.INFO.toInt();
        }
    }
}
