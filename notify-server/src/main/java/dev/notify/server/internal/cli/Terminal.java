package dev.notify.server.internal.cli;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * Whether the standard streams are an interactive terminal, so {@code watch} may draw with escape
 * sequences. Up to JDK 21 {@link System#console()} is null unless stdin and stdout are both a
 * terminal; from JDK 22 on it returns a console even when output is redirected ({@code watch > file}),
 * and {@code Console.isTerminal()} (JDK 22+, called reflectively since we compile for 17) tells.
 */
final class Terminal {

    private Terminal() {
    }

    /** Whether stdin and stdout are an interactive terminal. */
    static boolean isInteractive() {
        return isInteractive(System.console());
    }

    static boolean isInteractive(Console console) {
        if (console == null) {
            return false;
        }
        Method isTerminal;
        try {
            isTerminal = Console.class.getMethod("isTerminal");
        } catch (NoSuchMethodException e) {
            // JDK 17 to 21: a console exists only for a terminal
            return true;
        }
        try {
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // cannot tell: plain lines are always readable, escape codes in a file are not
            return false;
        }
    }
}
