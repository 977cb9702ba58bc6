package dev.notify.channel.system;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs one command without a shell: the first element is the program, the others are its
 * arguments, passed as they are (a title such as {@code "; rm -rf ~} is just text). The system
 * channel's default runner uses {@link ProcessBuilder}; tests inject their own through
 * {@link SystemChannelProvider#withRunner(CommandRunner)}.
 */
@FunctionalInterface
public interface CommandRunner {

    /**
     * What a run produced.
     *
     * @param exitCode the exit code (-1 when it did not finish)
     * @param stderr the first few KiB of the command's standard error
     * @param timedOut whether it was killed for outliving the timeout
     */
    record Result(int exitCode, String stderr, boolean timedOut) {
        /** Whether it ran to completion with exit code 0. */
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }
    }

    /**
     * Runs the command and waits at most {@code timeout} for it.
     *
     * @param command the program and its arguments
     * @param environment variables added to the inherited environment
     * @throws java.io.IOException when the program cannot be started (not installed, say)
     */
    Result run(List<String> command, Map<String, String> environment, Duration timeout) throws java.io.IOException;
}
