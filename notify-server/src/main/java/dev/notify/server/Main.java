package dev.notify.server;

import dev.notify.server.internal.cli.ServeCommand;

/**
 * {@code java -jar notify-server.jar [options]}: runs the server until SIGTERM or Ctrl-C.
 * {@code --help} lists every option; each one can also come from the environment
 * ({@code NOTIFY_PORT}) or a config file ({@code --config notify.properties}).
 */
public final class Main {

    private Main() {
    }

    /** Runs the command line and exits with its status (0 after a graceful shutdown). */
    public static void main(String[] args) {
        ServeCommand.selectLogFormat(args, System.getenv());
        int status = ServeCommand.run(args, System.getenv());
        if (status != ServeCommand.KEEP_RUNNING) {
            System.exit(status);
        }
    }
}
