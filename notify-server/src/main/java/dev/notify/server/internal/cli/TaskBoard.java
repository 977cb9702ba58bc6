package dev.notify.server.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What {@code notify watch} shows: one line per task, drawn either in place with ANSI escapes
 * (a terminal) or as plain lines, one per change (a pipe or a file).
 *
 * <p>In place, the board remembers how many lines it drew last and redraws them all from the
 * top, so a progress update never scrolls; a line that is not about a task (a notification, a
 * reconnect) is printed above the board and the board is drawn again under it.
 */
final class TaskBoard {

    /** Final states of a task, and whether each one is a success. */
    static final Map<String, Boolean> FINAL = Map.of("task.completed", true, "task.failed", false,
            "task.cancelled", false, "task.stuck", false);
    static final String HIDE_CURSOR = "\033[?25l";
    static final String SHOW_CURSOR = "\033[?25h";
    private static final int BAR = 24;
    private static final int MAX_MESSAGE = 60;
    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final PrintStream out;
    private final boolean ansi;
    private final LongSupplier nanos;
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private int drawn;
    private int tick;
    private boolean closed;

    TaskBoard(PrintStream out, boolean ansi, LongSupplier nanos) {
        this.out = out;
        this.ansi = ansi;
        this.nanos = nanos;
        if (ansi) {
            out.print(HIDE_CURSOR);
            out.flush();
        }
    }

    private static final class Task {
        final String id;
        final long startedAt;
        double percent = -1;
        String message = "";
        String state = "running";
        Boolean success;
        long endedAt;

        Task(String id, long startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }
    }

    /** A {@code task.*} event for {@code taskId}. */
    synchronized void onTaskEvent(String taskId, String event, Double percent, String message) {
        if (closed) {
            return;
        }
        Task t = tasks.computeIfAbsent(taskId, id -> new Task(id, nanos.getAsLong()));
        if (t.success != null) {
            return; // a late or replayed event for a finished task changes nothing
        }
        if (percent != null) {
            t.percent = Math.max(0, Math.min(100, percent));
        }
        if (message != null && !message.isBlank()) {
            String m = message.strip().replaceAll("\\s+", " ");
            // a line wider than the terminal would wrap and break the redraw in place
            t.message = ansi && m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE - 1) + "…" : m;
        }
        Boolean success = FINAL.get(event);
        t.state = event.substring("task.".length());
        if (success != null) {
            t.success = success;
            t.endedAt = nanos.getAsLong();
            if (success) {
                t.percent = 100;
            }
        }
        if (ansi) {
            redraw();
        } else {
            out.println(line(t));
            out.flush();
        }
    }

    /** A line that is not about a task, printed above the board. */
    synchronized void note(String text) {
        if (closed) {
            return;
        }
        if (ansi) {
            clearBoard();
            out.print("\033[2K" + text + "\n");
            drawBoard();
        } else {
            out.println(text);
        }
        out.flush();
    }

    /** Redraws running tasks so their elapsed time and spinner move (terminal only). */
    synchronized void tick() {
        if (ansi && !closed && tasks.values().stream().anyMatch(t -> t.success == null)) {
            tick++;
            redraw();
        }
    }

    /** Whether at least one task was seen and every seen task has finished. */
    synchronized boolean allDone() {
        return !tasks.isEmpty() && tasks.values().stream().allMatch(t -> t.success != null);
    }

    /** Whether every seen task finished successfully. */
    synchronized boolean allSucceeded() {
        return tasks.values().stream().allMatch(t -> Boolean.TRUE.equals(t.success));
    }

    /** Leaves the board as it is, restores the cursor. Idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ansi) {
            out.print(SHOW_CURSOR);
        }
        out.flush();
    }

    private void redraw() {
        clearBoard();
        drawBoard();
        out.flush();
    }

    private void clearBoard() {
        if (drawn > 0) {
            out.print("\r\033[" + drawn + "A");
        }
    }

    private void drawBoard() {
        List<Task> all = new ArrayList<>(tasks.values());
        for (Task t : all) {
            out.print("\033[2K" + line(t) + "\n");
        }
        // clears what is left of a taller board drawn before (a note took its place)
        out.print("\033[J");
        drawn = all.size();
    }

    String line(Task t) {
        long end = t.success != null ? t.endedAt : nanos.getAsLong();
        String elapsed = elapsed(Duration.ofNanos(end - t.startedAt));
        String pct = t.percent < 0 ? "   " : String.format(Locale.ROOT, "%3d", (int) Math.floor(t.percent));
        if (t.success != null) {
            String mark = t.success ? "✓" : "✗";
            String msg = t.message.isEmpty() ? "" : "  " + t.message;
            return mark + " " + t.id + " " + t.state + " in " + elapsed + msg;
        }
        if (!ansi) {
            return "… " + t.id + " " + pct + "%  " + t.message + "  " + elapsed;
        }
        return SPINNER[tick % SPINNER.length] + " " + t.id + " " + bar(t.percent) + " " + pct + "%  " + t.message + "  " + elapsed;
    }

    private String bar(double percent) {
        int full = percent < 0 ? 0 : (int) Math.round(percent / 100 * BAR);
        return "[" + "█".repeat(full) + "░".repeat(BAR - full) + "]";
    }

    static String elapsed(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
