package com.example.notify.file;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The {@code file} channel: appends every delivery as one JSON line to the file named by
 * {@code channels.file.path}. Publish with {@code "channels":["file"]} to use it.
 *
 * <p>Found by {@link java.util.ServiceLoader}: it is listed in {@code module-info.java} and in
 * {@code META-INF/services/dev.notify.api.spi.ChannelProvider}, and has the public no-argument
 * constructor a service needs.
 */
public final class FileChannelProvider implements ChannelProvider {

    /** The channel name, which is also its configuration node: {@code channels.file.*}. */
    public static final String NAME = "file";

    /** The configuration key (under {@code channels.file.}) of the file to append to. */
    public static final String PATH = "path";

    /** Called by ServiceLoader. */
    public FileChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Opens the file for appending (creating it and its folder when missing).
     *
     * @throws IllegalArgumentException when {@code channels.file.path} is missing or cannot be opened
     */
    @Override
    public Channel create(ChannelContext context) {
        String configured = context.config().get(PATH)
                .filter(p -> !p.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("channels." + NAME + "." + PATH
                        + " is required: the file the " + NAME + " channel appends deliveries to"));
        Path file;
        try {
            file = Path.of(configured.trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("channels." + NAME + "." + PATH + " = '" + configured + "' is not a valid path: "
                    + e.getMessage(), e);
        }
        return FileChannel.open(file, context);
    }
}
